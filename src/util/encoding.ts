/**
 * What a file's bytes say about their encoding before they are read as text: rassylka reads UTF-8, and
 * the files it is given by mistake are mostly UTF-16 (Windows' "Unicode" text, Excel's "Unicode text") and
 * Latin-1 or windows-1251 (old editors, Excel's CSV).
 */

/**
 * The encoding a byte-order mark names, or `utf-16-nobom` for text with a NUL in every other byte and no
 * mark.
 */
export function sniffUtf16(head: Uint8Array): "utf-16le" | "utf-16be" | "utf-16-nobom" | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const sample = head.subarray(0, 200);
  let nulOdd = 0;
  let nulEven = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 ? nulOdd++ : nulEven++;
  if (sample.length >= 8 && Math.max(nulOdd, nulEven) >= sample.length / 4) return "utf-16-nobom";
  return undefined;
}

/** The 1-based line of a character offset in a text (any of LF, CRLF, CR ends a line). */
export function lineAt(text: string, offset: number): number {
  return (text.slice(0, offset).match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
}

/** The offset of the first byte sequence that is not UTF-8, in the text decoded leniently (its U+FFFD), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): { text: string; at: number } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), at: -1 };
  } catch {
    const text = new TextDecoder("utf-8").decode(bytes);
    return { text, at: text.indexOf("\uFFFD") };
  }
}
