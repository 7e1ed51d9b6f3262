export { copyExampleNewsletter, REPO } from "../helpers/newsletter.js";

/** The system Chromium the tests drive (Debian's `chromium`), started as .ci/run and CI do. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_TEST_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** The example issues' file names without `.md`: the preview's page keys. */
export const ISSUE_A = "2026-11-10-tekushchaya-debitorka";
export const ISSUE_B = "2026-11-24-ne-pryachtes-za-firmu";

/** Width and height of a PNG from its IHDR chunk (bytes 16–23, big-endian), without a decoder. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.subarray(0, 8).toString("hex") !== "89504e470d0a1a0a" || png.subarray(12, 16).toString("latin1") !== "IHDR") {
    throw new Error("not a PNG");
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
