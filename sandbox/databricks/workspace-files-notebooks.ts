/**
 * Notebook formats for the workspace API: recognising a notebook on AUTO import, and converting
 * between the two notebook formats the sandbox keeps (SOURCE and JUPYTER). Only code cells are
 * modelled; markdown and outputs are not.
 */

export type NotebookLanguage = "PYTHON" | "SCALA" | "SQL" | "R";
export type NotebookFormat = "SOURCE" | "JUPYTER";

interface LanguageSyntax {
  extension: string;
  /** Line comment; the source header and cell separator are built from it. */
  comment: string;
}

export const LANGUAGES: Record<NotebookLanguage, LanguageSyntax> = {
  PYTHON: { extension: "py", comment: "#" },
  SCALA: { extension: "scala", comment: "//" },
  SQL: { extension: "sql", comment: "--" },
  R: { extension: "r", comment: "#" },
};

export const sourceHeader = (language: NotebookLanguage) => `${LANGUAGES[language].comment} Databricks notebook source`;
const cellSeparator = (language: NotebookLanguage) => `\n\n${LANGUAGES[language].comment} COMMAND ----------\n\n`;

export const languageForExtension = (ext: string): NotebookLanguage | undefined =>
  (Object.keys(LANGUAGES) as NotebookLanguage[]).find((l) => LANGUAGES[l].extension === ext.toLowerCase());

/** `name.py` → `py`; none → "". */
export const extensionOf = (path: string) => {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1) : "";
};

export const stripExtension = (path: string) => path.slice(0, path.length - extensionOf(path).length - 1);

/** A parsed .ipynb, or undefined when the bytes are not a notebook document. */
export function parseIpynb(content: Buffer): { cells: string[]; language: NotebookLanguage } | undefined {
  try {
    const doc = JSON.parse(content.toString("utf8")) as {
      cells?: { cell_type?: string; source?: string | string[] }[];
      metadata?: { language_info?: { name?: string }; kernelspec?: { language?: string } };
    };
    if (!Array.isArray(doc.cells)) return undefined;
    const lang = (doc.metadata?.language_info?.name ?? doc.metadata?.kernelspec?.language ?? "python").toUpperCase();
    const language = (lang in LANGUAGES ? lang : "PYTHON") as NotebookLanguage;
    const cells = doc.cells.filter((c) => (c.cell_type ?? "code") === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : (c.source ?? "")));
    return { cells, language };
  } catch {
    return undefined;
  }
}

/**
 * A notebook's content in the requested format. SOURCE always starts with the language's
 * "Databricks notebook source" header: the real service adds it on export when the imported
 * source lacked it, so a read-back can differ from what was written.
 */
export function renderNotebook(content: Buffer, stored: NotebookFormat, wanted: NotebookFormat, language: NotebookLanguage): Buffer {
  if (stored === wanted && wanted === "JUPYTER") return content;
  const cells = stored === "JUPYTER" ? (parseIpynb(content)?.cells ?? []) : sourceCells(content.toString("utf8"), language);
  if (wanted === "SOURCE") return Buffer.from(`${sourceHeader(language)}\n${cells.join(cellSeparator(language))}`, "utf8");
  const ipynb = {
    cells: cells.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { language_info: { name: language.toLowerCase() } },
    nbformat: 4,
    nbformat_minor: 0,
  };
  return Buffer.from(JSON.stringify(ipynb), "utf8");
}

function sourceCells(text: string, language: NotebookLanguage): string[] {
  const header = sourceHeader(language);
  const body = text.startsWith(header) ? text.slice(header.length).replace(/^\r?\n/, "") : text;
  return body.split(cellSeparator(language));
}

export const isSourceNotebook = (content: Buffer, language: NotebookLanguage) => content.toString("utf8").startsWith(sourceHeader(language));
