import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportFileName, REPORT_MIME, Workbench } from '../../../src-main/core/workbench';
import { checkArgs } from '../../../src-main/core/api-schema';
import {
  formatOfPath,
  isReportFormat,
  REPORT_FORMAT_LIST,
  REPORT_FORMATS,
  reportFormat,
  reportFormatInfo,
} from '../../../src-main/core/reports/registry';
import { ReportError } from '../../../src-main/core/reports/types';
import { tempDir } from '../../helpers/tmp';

describe('report format registry', () => {
  it('lists each format once, with its own extensions, a media type and a description', () => {
    expect(REPORT_FORMATS).toEqual(['html', 'md', 'csv', 'json', 'pdf', 'tex']);
    expect(new Set(REPORT_FORMATS).size).toBe(REPORT_FORMATS.length);
    const extensions = REPORT_FORMAT_LIST.flatMap((f) => f.extensions);
    expect(new Set(extensions).size).toBe(extensions.length);
    for (const f of REPORT_FORMAT_LIST) {
      expect(f.id, f.id).toMatch(/^[a-z]+$/);
      expect(f.label.length, f.id).toBeGreaterThan(0);
      expect(f.description.length, f.id).toBeGreaterThan(10);
      expect(f.mime, f.id).toMatch(/^[a-z]+\/[a-z.+-]+$/);
      expect(f.extensions.length, f.id).toBeGreaterThan(0);
      for (const e of f.extensions) expect(e, f.id).toMatch(/^\.[a-z]+$/);
      expect(REPORT_MIME[f.id]).toBe(f.mime);
      expect(reportFormat(f.id)).toBe(f);
      expect(isReportFormat(f.id)).toBe(true);
    }
  });

  it('picks a format by extension in any case, and names the formats for an unknown one', () => {
    expect(formatOfPath('a/paper.TEX')).toBe('tex');
    expect(formatOfPath('a.htm')).toBe('html');
    expect(formatOfPath('a.markdown')).toBe('md');
    expect(formatOfPath('a.docx')).toBeUndefined();
    expect(formatOfPath('tex')).toBeUndefined();
    expect(isReportFormat('docx')).toBe(false);
    expect(() => reportFormat('docx')).toThrow(ReportError);
    expect(() => reportFormat('docx')).toThrow(
      'Unknown report format "docx"; one of html, md, csv, json, pdf, tex.',
    );
    expect(() => reportFormat('__proto__')).toThrow(ReportError);
  });

  it('names offered files by the first extension', () => {
    expect(reportFileName([3], 'tex')).toBe('timbre-run-3.tex');
    expect(reportFileName([3, 4], 'md')).toBe('timbre-runs-3-4.md');
    expect(reportFileName([1, 2, 3, 4, 5, 6], 'html')).toBe('timbre-runs-1-2-3-4-5-etc.html');
    expect(() => reportFileName([3], 'docx')).toThrow(ReportError);
  });

  it('checks API arguments against the registry', () => {
    expect(checkArgs('exportReport', [[1], 'tex'])).toEqual([[1], 'tex']);
    expect(() => checkArgs('exportReport', [[1], 'docx'])).toThrow(/exportReport: invalid arguments at 1/);
    expect(checkArgs('listReportFormats', [])).toEqual([]);
    expect(() => checkArgs('listReportFormats', ['x'])).toThrow(/listReportFormats: invalid arguments/);
  });

  it('gives shells the list as plain data through the API', async () => {
    const { dir, cleanup } = tempDir();
    const wb = new Workbench({ home: path.join(dir, 'home') });
    try {
      const listed = await wb.listReportFormats();
      expect(JSON.parse(JSON.stringify(listed))).toEqual(listed);
      expect(listed).toEqual(reportFormatInfo());
      expect(listed.map((f) => f.id)).toEqual(REPORT_FORMATS);
      expect(listed.find((f) => f.id === 'csv')).toEqual({
        id: 'csv',
        label: 'CSV (3 files)',
        extensions: ['.csv'],
        mime: 'text/csv',
        description: expect.stringContaining('three files'),
      });
      expect(listed.find((f) => f.id === 'tex')).toEqual({
        id: 'tex',
        label: 'LaTeX tables',
        extensions: ['.tex'],
        mime: 'application/x-tex',
        description: expect.stringContaining('booktabs'),
      });
    } finally {
      await wb.close();
      cleanup();
    }
  });
});
