import type { Command } from "commander";
import type { Io } from "./print.js";

// Placeholder: the `suppress` command is being written (see the open issues).
export function registerSuppress(_program: Command, _io: Io, _setCode: (c: number) => void): void {}
