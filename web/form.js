// A task's form, generated from the form schema the API gives with the task (GET /api/v1/tasks/{id}:
// `form`, fields of type string, number, boolean, enum, dateTime or stringList), and the values it
// sends as the decision's `data`.
import { html } from '/vendor/preact-htm.js';

/** The form's values as the API takes them: typed, and without the optional fields left empty. */
export function formData(form, values) {
  const data = {};
  for (const [name, field] of Object.entries(form)) {
    const value = values[name];
    switch (field.type) {
      case 'boolean':
        data[name] = value === true;
        break;
      case 'number':
        if (value !== undefined && value !== '') data[name] = Number(value);
        break;
      case 'dateTime':
        if (value) data[name] = new Date(value).toISOString();
        break;
      case 'stringList': {
        const items = String(value ?? '').split('\n').map((item) => item.trim()).filter(Boolean);
        if (items.length > 0 || field.required) data[name] = items;
        break;
      }
      default:
        if (value !== undefined && value !== '') data[name] = value;
    }
  }
  return data;
}

function input(name, field, value, set, t) {
  const id = `field-${name}`;
  const common = { id, name, required: field.required, 'aria-describedby': field.type === 'stringList' ? `${id}-help` : undefined };
  switch (field.type) {
    case 'boolean':
      return html`<input type="checkbox" ...${common} required=${false} checked=${value === true} onChange=${(e) => set(e.target.checked)} />`;
    case 'number':
      return html`<input type="number" ...${common} min=${field.min} max=${field.max} step=${field.integer ? 1 : 'any'} value=${value ?? ''} onInput=${(e) => set(e.target.value)} />`;
    case 'enum':
      return html`<select ...${common} value=${value ?? ''} onChange=${(e) => set(e.target.value)}>
        <option value="">—</option>
        ${field.values.map((option) => html`<option value=${option}>${t(`values.${option}`)}</option>`)}
      </select>`;
    case 'dateTime':
      return html`<input type="datetime-local" ...${common} value=${value ?? ''} onInput=${(e) => set(e.target.value)} />`;
    case 'stringList':
      return html`<textarea rows="3" ...${common} value=${value ?? ''} onInput=${(e) => set(e.target.value)}></textarea>
        <small id=${`${id}-help`}>${t('task.listHelp')}</small>`;
    default:
      return field.maxLength > 200
        ? html`<textarea rows="3" ...${common} maxlength=${field.maxLength} value=${value ?? ''} onInput=${(e) => set(e.target.value)}></textarea>`
        : html`<input type="text" ...${common} maxlength=${field.maxLength} value=${value ?? ''} onInput=${(e) => set(e.target.value)} />`;
  }
}

/** The fields of `form`, each labelled with its name (and whether it is required). */
export function FormFields({ form, values, onChange, t }) {
  return Object.entries(form).map(
    ([name, field]) => html`<div class="field">
      <label for=${`field-${name}`}>${name}${field.required ? html` <span class="required">(${t('task.required')})</span>` : ''}</label>
      ${input(name, field, values[name], (value) => onChange({ ...values, [name]: value }), t)}
    </div>`,
  );
}
