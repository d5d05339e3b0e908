// Which addresses leave the app for the system browser (only listed ones), and that a window can
// neither navigate away from its page nor open another window, against the stand-in for Electron.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EXTERNAL_LINKS,
  guardNavigation,
  isAllowedExternal,
  openExternalIfAllowed,
} from '../../src-main/app/external-links';
import { BrowserWindow, opened } from '../helpers/electron-stub';

const LISTED = ['https://magenta.tensorflow.org/datasets/nsynth', 'https://example.org/docs?page=1'];

beforeEach(() => {
  opened.length = 0;
});

describe('external links', () => {
  it('lists only https addresses, and the app’s own list opens nothing else', () => {
    for (const url of EXTERNAL_LINKS) expect(new URL(url).protocol).toBe('https:');
    expect(openExternalIfAllowed('https://example.com/')).toBe(false);
    expect(openExternalIfAllowed('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternal('https://example.org/docs?page=1#top', LISTED)).toBe(true);
    expect(opened).toEqual([]);
  });

  it('opens a listed address, with or without a #fragment, and nothing else', () => {
    expect(openExternalIfAllowed('https://magenta.tensorflow.org/datasets/nsynth', LISTED)).toBe(true);
    expect(openExternalIfAllowed('https://magenta.tensorflow.org/datasets/nsynth#files', LISTED)).toBe(true);
    expect(openExternalIfAllowed('https://example.org/docs?page=1', LISTED)).toBe(true);
    for (const url of [
      'https://magenta.tensorflow.org/datasets/nsynth/../../evil',
      'https://magenta.tensorflow.org/datasets/nsynth-evil',
      'https://magenta.tensorflow.org/datasets/nsynth?x=1',
      'https://magenta.tensorflow.org.evil.example/datasets/nsynth',
      'https://user:pw@magenta.tensorflow.org/datasets/nsynth',
      'http://magenta.tensorflow.org/datasets/nsynth',
      'https://example.org/docs?page=2',
      'https://example.com/',
      'file:///etc/passwd',
      'file:///C:/Windows/System32/calc.exe',
      'smb://host/share/x.exe',
      'ms-msdt:/id PCWDiagnostic',
      'javascript:alert(1)',
      'app://workbench/index.html',
      'not a url',
      '',
    ]) {
      expect(openExternalIfAllowed(url, LISTED), url).toBe(false);
    }
    expect(opened).toEqual([
      'https://magenta.tensorflow.org/datasets/nsynth',
      'https://magenta.tensorflow.org/datasets/nsynth#files',
      'https://example.org/docs?page=1',
    ]);
  });
});

describe('navigation guard', () => {
  it('denies every new window, handing listed addresses to the system browser', () => {
    const w = new BrowserWindow();
    guardNavigation(w.webContents, LISTED);
    const open = w.webContents.windowOpenHandler!;
    expect(open({ url: 'https://magenta.tensorflow.org/datasets/nsynth' })).toEqual({ action: 'deny' });
    expect(open({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'app://workbench/index.html' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://magenta.tensorflow.org/datasets/nsynth']);
  });

  it('stops every navigation of the page, and webviews', () => {
    const w = new BrowserWindow();
    guardNavigation(w.webContents, LISTED);
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'app://workbench/index.html',
      'https://magenta.tensorflow.org/datasets/nsynth',
    ]) {
      expect(w.webContents.emit('will-navigate', url).defaultPrevented, url).toBe(true);
    }
    expect(opened).toEqual(['https://magenta.tensorflow.org/datasets/nsynth']);
    expect(w.webContents.emit('will-attach-webview', 'https://evil.example/').defaultPrevented).toBe(true);
  });
});
