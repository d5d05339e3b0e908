// The preload bridge; the typed API object is exposed here once the UI's IPC exists.
export {};
