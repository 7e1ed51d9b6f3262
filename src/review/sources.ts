/**
 * Everything the review takes from the build and the preview: the project loader, the issue list, the
 * build cache, one issue's report (compiled email, encoded size, lint) and the size format. These
 * modules are being moved (project loading, compiling, outputs); only this file names their paths, so
 * re-pointing the review is a change here and nowhere else.
 */
export { listIssueFiles, loadProject, type Project } from "../build/build.js";
export { type BuildCache, fileCache, noCache } from "../build/cache.js";
export { counts, failed, type IssueReport, reportIssue } from "../preview/report.js";
export { formatKb, GMAIL_CLIP_BYTES } from "../preview/size.js";
