/**
 * Everything the review takes from the rest of rassylka, in one place: the project loader, the issue
 * list, the build cache, one issue's report (compiled email, encoded size, lint) and the size format.
 */
export { type BuildCache, fileCache, noCache } from "../compile/cache.js";
export { formatKb, GMAIL_CLIP_BYTES } from "../message/size.js";
export { counts, failed, type IssueReport, reportIssue } from "../preview/report.js";
export { listIssueFiles, loadProject, type Project } from "../project/project.js";
