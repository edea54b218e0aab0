/**
 * The status display's public surface: the port and its adapters, the page model and the emulator. The pieces that
 * load serialport's native binding (`create-status-display.ts`, `serial-link.ts`, `emulator-pty.ts`) are imported by
 * path, so the pure parts load anywhere.
 */
export type { StatusDisplay, DisplayStats } from './status-display.js';
export { emptyDisplayStats } from './status-display.js';
export {
  displayStateFor,
  mostSevereFault,
  reasonText,
  HEALTH_ICON_NAMES,
  type DisplayFault,
  type DisplayInput,
  type DisplayState,
  type FaultKind,
  type HealthIcons,
  type HealthLevel,
  type ModelIdentity,
  type PageName,
  type UpdateProgress,
} from './display-state.js';
export { renderPage, PageRenderer, formatScore, noticeText, FAULT_TITLE, DECISION_TITLE } from './pages.js';
export {
  hmiLayout,
  touchActions,
  touchKey,
  findPage,
  findComponent,
  COLOUR,
  HEALTH_COMPONENT,
  SCREEN_WIDTH,
  SCREEN_HEIGHT,
  type ComponentKind,
  type ComponentSpec,
  type OperatorAction,
  type PageSpec,
} from './hmi-layout.js';
export * from './nextion-protocol.js';
export { NextionDisplay, type NextionDisplayOptions } from './nextion-display.js';
export { MemoryDisplay } from './memory-display.js';
export { EmulatedDisplay, type EmulatedDisplayDeps } from './emulated-display.js';
export { NextionEmulator, type ComponentValues, type NextionEmulatorOptions } from './display-emulator.js';
export { EmulatorLink } from './emulator-link.js';
export { renderScreenText, renderScreenPng, gray565, type EmulatorScreen } from './emulator-render.js';
export { DisplayPresenter, type DisplayPresenterDeps } from './display-presenter.js';
