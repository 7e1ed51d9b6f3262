import { parentPort } from "node:worker_threads";
import { type Lang, setLanguage } from "../i18n/index.js";
import { loadProject, type Project } from "../project/project.js";
import { readRegularFile } from "../util/fs.js";
import { compileIssueText } from "./compile.js";
import type { WorkerResult } from "./parallel.js";

/** A build worker: compiles one issue at a time for src/compile/parallel.ts. */
const projects = new Map<string, Promise<Project>>();

interface Request {
  id: number;
  root: string;
  absPath: string;
  projectKey: string;
  /** the editor's language: the warnings and errors are written in it */
  lang: Lang;
}

parentPort?.on("message", async ({ id, root, absPath, projectKey, lang }: Request) => {
  let result: WorkerResult;
  setLanguage(lang);
  try {
    // keyed by the config's and templates' contents: an edited template is reloaded
    const key = `${root}\0${projectKey}`;
    if (!projects.has(key)) projects.set(key, loadProject(root));
    const project = await projects.get(key)!;
    const r = await compileIssueText(project, absPath, (await readRegularFile(absPath)).toString("utf8"));
    result = { compiled: r.compiled, diagnostics: r.diagnostics };
  } catch (error) {
    const diagnostics = (error as { diagnostics?: WorkerResult["diagnostics"] }).diagnostics;
    result = { diagnostics: diagnostics ?? [{ ruleId: "build/worker", severity: "error", message: String(error), file: absPath }] };
  }
  parentPort?.postMessage({ id, result });
});

// Load the compile stages before taking work, then say so: the main thread hands tasks only to
// workers that are ready, so a small build never waits for a worker to start.
await Promise.all([import("../render/pipeline.js"), import("mjml")]);
parentPort?.postMessage({ ready: true });
