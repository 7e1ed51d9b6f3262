import { InvalidArgumentError } from "commander";
import { t } from "../i18n/index.js";

/** A flag's value parser for commander: a whole number of at least 1, or the flag's error in the editor's language. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(t("send:bad.positiveInt", { name }));
    return n;
  };
}

/** A flag's value parser for commander: a number of at least 0. */
export function nonNegative(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(t("send:bad.nonNegative", { name }));
    return n;
  };
}
