export { APP_FOLDER_NAME, resolveDataDir, type DataDirSources } from './data-dir';
export { DEFAULT_WEB_PORT, USAGE, callerSchema, parseConsoleOptions, type ConsoleOptions, type ParsedOptions } from './console-options';
export { createEventBus, type ConsoleEvent, type EventBus, type EventBusOptions } from './event-bus';
export { CONSOLE_CSP, contentTypeOf, resolveRendererFile } from './renderer-files';
export { ELECTRON_SQLITE_CACHE, PACKAGED_SQLITE_BINDING, electronSqliteBindingPath, packagedSqliteBindingPath, type NativeBuildTarget } from './native-sqlite';
export { LEDGER_FILE, openConsole, type ConsoleRuntime, type OpenConsoleOptions } from './open-console';
