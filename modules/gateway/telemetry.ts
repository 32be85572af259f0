// The one telemetry stream. Every output (GET /status, /ws, MQTT per-field
// topics, Home Assistant discovery, OCPP meter values, the dashboard) reads
// the same status document and the same change events, so a field means the
// same thing everywhere and a new sink costs no new polling.
//
// The document is the merge of the features' status sources, in the order the
// features were composed. An event is a fragment of it: the fields that moved
// since the last event (found by comparing with what was last sent), plus any
// fields a feature sends on purpose even if unchanged (OpenEVSE sends amp,
// voltage and power every second while charging). Version counters
// (`config_version`, `claims_version`, …) are ordinary fields: when one moves,
// the event carries it and clients refetch what it versions.

import type { StatusSource } from './feature';
import type { Json } from './status';

export type Fragment = Record<string, Json>;
export type TelemetryListener = (fragment: Fragment) => void;

export class Telemetry {
  readonly #sources: StatusSource[] = [];
  // Event fields as last sent: their names and values in two arrays, in the
  // order first sent. On XS an array's items live in the chunk heap and an
  // object's properties in the slot heap, where this copy of every status
  // field held about 65 of the device's 4 928 slots (docs/moddable.md, "What
  // holds the memory"). An update visits the fields in the same order every
  // time, so each is found at the place after the one before.
  readonly #names: string[] = [];
  readonly #values: (Json | undefined)[] = [];
  readonly #listeners: TelemetryListener[] = [];
  #events = 0;
  #updating = false;
  #again = false;

  add(source: StatusSource): void {
    this.#sources.push(source);
  }

  /** The full status document. */
  document(): Fragment {
    const doc: Fragment = {};
    const sources = this.#sources;
    for (let i = 0; i < sources.length; i++) {
      // A source that writes into the document returns it; another one's fields are merged.
      const f = sources[i].fields(doc);
      if (f !== doc) Object.assign(doc, f);
    }
    return doc;
  }

  /** Events sent since start. */
  get events(): number {
    return this.#events;
  }

  /** Listens to change events; returns the unsubscribe. Listeners must not throw. */
  subscribe(listener: TelemetryListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /**
   * Something changed: sends the event fields that differ from the last event,
   * plus `always` (sent even when unchanged). Re-entrant calls (a listener's
   * reaction changes something) run after the current one, in order.
   */
  update(always?: Fragment): void {
    if (this.#updating) {
      this.#again = true;
      if (always) this.emit(always);
      return;
    }
    this.#updating = true;
    try {
      do {
        this.#again = false;
        const fragment: Fragment = always ? { ...always } : {};
        always = undefined;
        const names = this.#names;
        const values = this.#values;
        let at = 0;
        for (const s of this.#sources) {
          if (s.events === false) continue;
          const fields = s.fields();
          for (const k in fields) {
            const v = fields[k];
            const i = names[at] === k ? at : this.#index(k);
            at = i + 1;
            if (values[i] !== v || k in fragment) {
              fragment[k] = v;
              values[i] = v;
            }
          }
        }
        this.#send(fragment);
      } while (this.#again);
    } finally {
      this.#updating = false;
    }
  }

  /**
   * A fragment that is not (only) status fields, sent as is: transient values
   * such as divert's `trigger_current`. Status fields in it count as sent.
   */
  emit(fragment: Fragment): void {
    for (const k in fragment) this.#values[this.#index(k)] = fragment[k];
    this.#send(fragment);
  }

  /** Where a field's last sent value is kept (a new field gets a place, as not sent yet). */
  #index(name: string): number {
    const i = this.#names.indexOf(name);
    if (i >= 0) return i;
    this.#values.push(undefined);
    return this.#names.push(name) - 1;
  }

  #send(fragment: Fragment): void {
    for (const _ in fragment) {
      this.#events++;
      for (const l of this.#listeners.slice()) l(fragment);
      return;
    }
  }
}
