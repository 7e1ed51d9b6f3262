import { createInterface } from "node:readline/promises";

/** Reads one answer on the terminal (stderr shows the question, so stdout stays the command's output). */
export async function readAnswer(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // Ctrl-C or Ctrl-D at the prompt is a "no" (readline would otherwise swallow the Ctrl-C and wait)
    return await new Promise<string>((resolve) => {
      rl.on("SIGINT", () => resolve(""));
      rl.on("close", () => resolve(""));
      rl.question(question).then(resolve, () => resolve(""));
    });
  } finally {
    rl.close();
  }
}

/** The one y/N prompt: yes only for y, yes, д or да; anything else (Enter, Ctrl-C, Ctrl-D) is no. */
export async function confirmYesNo(question: string, ask: (question: string) => Promise<string> = readAnswer): Promise<boolean> {
  return /^(y|yes|д|да)$/i.test((await ask(question)).trim());
}
