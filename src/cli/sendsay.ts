import type { Command } from "commander";
import type { Io } from "./print.js";

// Placeholder: the `sendsay` command is being written (see the open issues).
export function registerSendsay(_program: Command, _io: Io, _setCode: (c: number) => void): void {}
