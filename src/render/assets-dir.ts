/** The folder under the output folder where build publishes the issues' pictures (render/images.ts). */
export const ASSETS_DIR = "assets";
