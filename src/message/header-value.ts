/** Header values must be one line: CR, LF and other control characters become a space. */
export function oneLine(value: string): string {
  return (
    value
      // bidi embeddings, overrides and isolates: a name "Анна\u202Egnp.exe" shows as "Аннаexe.png" in the To line
      .replace(/[\u202a-\u202e\u2066-\u2069]+/g, "")
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ")
      .replace(/\s+/g, " ")
      .trim()
  );
}
