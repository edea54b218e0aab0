export { judgeProgress, stalledStatus, type PartProgress, type ProgressCounters, type ProgressVerdict } from './progress.js';
export { readNotifyEnvironment, type NotifyEnvironment } from './notify-environment.js';
export { loadSdNotifyAddon, SD_NOTIFY_ADDON_PATH, type DatagramSender } from './sd-notify-addon.js';
export {
  encodeNotification,
  SystemdNotifier,
  type NotifierState,
  type NotifyField,
  type NotifyFields,
  type SystemdNotifierDeps,
} from './systemd-notifier.js';
export { Watchdog, type WatchdogDeps, type WatchdogNotifier, type WatchdogStats } from './watchdog.js';
