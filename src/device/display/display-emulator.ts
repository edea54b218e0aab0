import { MyoError } from '../../core/errors.js';
import { parseInstruction, type ParsedInstruction } from './emulator-instruction.js';
import { renderScreenPng, renderScreenText, type EmulatorScreen } from './emulator-render.js';
import { findComponent, hmiLayout, type ComponentSpec, type PageSpec } from './hmi-layout.js';
import { errorReturn, encodeReturn, repliesAt, type BkcmdLevel, type NextionErrorCode, type NextionReturn } from './nextion-protocol.js';

/** One component's live values, as the emulator keeps them. */
export interface ComponentValues {
  txt: string;
  val: number;
  pco: number;
  bco: number;
  vis: boolean;
}

export interface NextionEmulatorOptions {
  /** The HMI design (pages and components); default the daemon's own layout. */
  readonly layout?: readonly PageSpec[];
  /** Received bytes kept for inspection (oldest dropped first); the emulator runs for days as the default display. */
  readonly historyBytes?: number;
  /** Instruction texts kept for inspection. */
  readonly historyInstructions?: number;
}

/** A Nextion's serial input buffer: a host that floods past it gets 0x24. */
const INPUT_BUFFER_BYTES = 1024;

/**
 * A virtual Nextion. Feed it the host's bytes with `receive()`; it answers through `onTransmit` listeners as the
 * device would: start-up `00 00 00 FF FF FF` + `88 FF FF FF` at power-on, 0x01 for a success at bkcmd 1/3, 0x1A
 * for an unknown component or attribute, 0x03 for an unknown page, 0x00 for an instruction it cannot parse, 0x66 on
 * `sendme`, 0x70/0x71 on `get`. Entering a page resets that page's components to their design-time values, as
 * local components on a real display do, so a driver that forgets to redraw is caught. It can inject touches and
 * garbage, and renders its screen as one line of text or a 480x272 PNG.
 */
export class NextionEmulator {
  readonly #layout: readonly PageSpec[];
  readonly #historyBytes: number;
  readonly #historyInstructions: number;
  readonly #values = new Map<string, Map<string, ComponentValues>>();
  readonly #transmitListeners = new Set<(bytes: Buffer) => void>();
  readonly #pageListeners = new Set<(page: string) => void>();
  #page: PageSpec;
  #bkcmd: BkcmdLevel = 2;
  #dim = 100;
  #asleep = false;
  #input: Buffer = Buffer.alloc(0);
  #received: Buffer[] = [];
  #receivedKept = 0;
  #receivedBytes = 0;
  #instructions: string[] = [];

  constructor(options: NextionEmulatorOptions = {}) {
    this.#layout = options.layout ?? hmiLayout();
    this.#historyBytes = options.historyBytes ?? 256 * 1024;
    this.#historyInstructions = options.historyInstructions ?? 4096;
    const first = this.#layout[0];
    if (first === undefined) throw new MyoError('MYO_ERR_CONFIG_INVALID', 'the display emulator needs a layout with at least one page');
    this.#page = first;
    this.#resetPages();
  }

  get page(): string {
    return this.#page.name;
  }

  get bkcmd(): BkcmdLevel {
    return this.#bkcmd;
  }

  get dim(): number {
    return this.#dim;
  }

  get asleep(): boolean {
    return this.#asleep;
  }

  /** Power-on: every page back at its design, page 0 shown, bkcmd 2, then the start-up and ready messages. */
  powerOn(): void {
    this.#bkcmd = 2;
    this.#dim = 100;
    this.#asleep = false;
    this.#input = Buffer.alloc(0);
    this.#resetPages();
    this.#enter(this.#layout[0] ?? this.#page);
    this.#send({ type: 'startup' });
    this.#send({ type: 'ready' });
  }

  /** Listens to what the display sends to the host; returns the function that stops listening. */
  onTransmit(listener: (bytes: Buffer) => void): () => void {
    this.#transmitListeners.add(listener);
    return () => this.#transmitListeners.delete(listener);
  }

  /** Called whenever a page is entered (for the log line of the default display). */
  onPageChanged(listener: (page: string) => void): () => void {
    this.#pageListeners.add(listener);
    return () => this.#pageListeners.delete(listener);
  }

  /** Bytes from the host. Instructions are executed as their terminators arrive. */
  receive(bytes: Uint8Array): void {
    this.#record(bytes);
    let input = Buffer.concat([this.#input, bytes]);
    for (;;) {
      const end = input.indexOf(TERMINATOR);
      if (end === -1) break;
      this.#execute(input.toString('latin1', 0, end));
      input = input.subarray(end + TERMINATOR.length);
    }
    if (input.length > INPUT_BUFFER_BYTES) {
      input = Buffer.alloc(0);
      this.#send(errorReturn(0x24));
    }
    this.#input = Buffer.from(input);
  }

  /** A finger on `component` of the current page: a press then a release, each as a 0x65 touch event. */
  touch(component: string): void {
    const spec = findComponent(this.#page, component);
    if (spec === undefined) throw new MyoError('MYO_ERR_DISPLAY_PROTOCOL', `page ${this.#page.name} has no component ${component}`, { component });
    this.#send({ type: 'touch', page: this.#page.id, component: spec.id, event: 'press' });
    this.#send({ type: 'touch', page: this.#page.id, component: spec.id, event: 'release' });
  }

  /** Raw bytes to the host, as line noise or a half-sent message would arrive. */
  inject(bytes: Uint8Array): void {
    this.#transmit(Buffer.from(bytes));
  }

  /** The values of `component` on the current page, or undefined when the page has none by that name. */
  component(name: string): Readonly<ComponentValues> | undefined {
    const values = this.#values.get(this.#page.name)?.get(name);
    return values === undefined ? undefined : { ...values };
  }

  /** Every instruction text received (newest last, bounded). */
  get instructions(): readonly string[] {
    return [...this.#instructions];
  }

  /** Every byte received (bounded, oldest dropped first). */
  receivedBytes(): Buffer {
    return Buffer.concat(this.#received);
  }

  get receivedByteCount(): number {
    return this.#receivedBytes;
  }

  clearHistory(): void {
    this.#received = [];
    this.#receivedKept = 0;
    this.#instructions = [];
  }

  screen(): EmulatorScreen {
    const values = this.#values.get(this.#page.name) ?? new Map<string, ComponentValues>();
    return { page: this.#page, values: new Map([...values].map(([k, v]) => [k, { ...v }])) };
  }

  /** One line for logs, e.g. `[result] REFER  score 0.67  | capture ok model ok ...`. */
  renderText(): string {
    return renderScreenText(this.screen());
  }

  /** The screen as a 480x272 gray PNG. */
  renderPng(): Buffer {
    return renderScreenPng(this.screen());
  }

  // --- internals ----------------------------------------------------------------------------------------------

  #record(bytes: Uint8Array): void {
    const copy = Buffer.from(bytes);
    this.#received.push(copy);
    this.#receivedBytes += copy.length;
    this.#receivedKept += copy.length;
    while (this.#receivedKept > this.#historyBytes && this.#received.length > 1) this.#receivedKept -= this.#received.shift()?.length ?? 0;
  }

  #execute(text: string): void {
    this.#instructions.push(text);
    if (this.#instructions.length > this.#historyInstructions) this.#instructions.shift();
    const outcome = this.#apply(parseInstruction(text));
    if (outcome === 'answered') return;
    const replies = repliesAt(this.#bkcmd);
    if (outcome === 'ok') {
      if (replies.onSuccess) this.#send({ type: 'ok' });
    } else if (replies.onFailure) {
      this.#send(errorReturn(outcome));
    }
  }

  /** Runs an instruction: 'ok', a failure code, or 'answered' when it replied with data itself. */
  #apply(instruction: ParsedInstruction): 'ok' | 'answered' | NextionErrorCode {
    switch (instruction.kind) {
      case 'unknown':
        return 0x00;
      case 'sendme':
        this.#send({ type: 'page', page: this.#page.id });
        return 'answered';
      case 'page': {
        const target = this.#layout.find((p) => p.name === instruction.page || String(p.id) === instruction.page);
        if (target === undefined) return 0x03;
        this.#enter(target);
        return 'ok';
      }
      case 'vis': {
        const values = this.#componentValues(instruction.component);
        if (values === undefined) return 0x1a;
        values.vis = instruction.on;
        return 'ok';
      }
      case 'assign':
        return instruction.object === null
          ? this.#assignSystem(instruction.attribute, instruction.value)
          : this.#assignComponent(instruction.object, instruction.attribute, instruction.value);
      case 'get': {
        const value = instruction.object === null ? this.#system(instruction.attribute) : this.#attribute(instruction.object, instruction.attribute);
        if (value === undefined) return 0x1a;
        this.#send(typeof value === 'string' ? { type: 'string', text: value } : { type: 'number', value });
        return 'answered';
      }
    }
  }

  #assignSystem(name: string, value: string | number): 'ok' | NextionErrorCode {
    if (typeof value !== 'number') return 0x1c;
    switch (name) {
      case 'bkcmd':
        if (value !== 0 && value !== 1 && value !== 2 && value !== 3) return 0x1c;
        // The new level governs this instruction's own reply (see BkcmdTracker).
        this.#bkcmd = value;
        return 'ok';
      case 'dim':
      case 'dims':
        this.#dim = Math.min(100, Math.max(0, value));
        return 'ok';
      case 'sleep':
        if (value !== 0 && value !== 1) return 0x1c;
        if ((value === 1) !== this.#asleep) {
          this.#asleep = value === 1;
          this.#send({ type: this.#asleep ? 'sleep' : 'wake' });
        }
        return 'ok';
      case 'baud':
      case 'bauds':
      case 'thup':
      case 'thsp':
      case 'sendxy':
        return 'ok';
      default:
        return 0x1a;
    }
  }

  #assignComponent(object: string, attribute: string, value: string | number): 'ok' | NextionErrorCode {
    const spec = findComponent(this.#page, object);
    const values = this.#componentValues(object);
    if (spec === undefined || values === undefined || !hasAttribute(spec, attribute)) return 0x1a;
    if (attribute === 'txt') {
      if (typeof value !== 'string') return 0x1c;
      // txt_maxl: a Nextion keeps only what fits.
      values.txt = value.slice(0, spec.maxLength); // latin1 text: one code unit a character
      return 'ok';
    }
    if (typeof value !== 'number') return 0x1c;
    if (attribute === 'val') values.val = spec.kind === 'progress' ? Math.min(100, Math.max(0, value)) : value | 0;
    else if (attribute === 'pco') values.pco = value & 0xffff;
    else values.bco = value & 0xffff;
    return 'ok';
  }

  #attribute(object: string, attribute: string): string | number | undefined {
    const spec = findComponent(this.#page, object);
    const values = this.#componentValues(object);
    if (spec === undefined || values === undefined || !hasAttribute(spec, attribute)) return undefined;
    if (attribute === 'txt') return values.txt;
    if (attribute === 'val') return values.val;
    return attribute === 'pco' ? values.pco : values.bco;
  }

  #system(name: string): number | undefined {
    if (name === 'bkcmd') return this.#bkcmd;
    if (name === 'dim') return this.#dim;
    if (name === 'sleep') return this.#asleep ? 1 : 0;
    if (name === 'dp') return this.#page.id;
    return undefined;
  }

  #componentValues(name: string): ComponentValues | undefined {
    return this.#values.get(this.#page.name)?.get(name);
  }

  #enter(target: PageSpec): void {
    this.#page = target;
    this.#values.set(target.name, designValues(target));
    for (const listener of this.#pageListeners) listener(target.name);
  }

  #resetPages(): void {
    for (const p of this.#layout) this.#values.set(p.name, designValues(p));
  }

  #send(message: NextionReturn): void {
    this.#transmit(encodeReturn(message));
  }

  #transmit(bytes: Buffer): void {
    for (const listener of this.#transmitListeners) listener(bytes);
  }
}

const TERMINATOR = Buffer.from([0xff, 0xff, 0xff]);

function hasAttribute(spec: ComponentSpec, attribute: string): boolean {
  if (attribute === 'pco' || attribute === 'bco') return true;
  if (attribute === 'txt') return spec.kind === 'text' || spec.kind === 'button';
  if (attribute === 'val') return spec.kind === 'number' || spec.kind === 'progress';
  return false;
}

function designValues(p: PageSpec): Map<string, ComponentValues> {
  return new Map(p.components.map((c) => [c.name, { txt: c.txt, val: c.val, pco: c.pco, bco: c.bco, vis: true }]));
}
