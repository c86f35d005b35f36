// A task's form, generated from the form schema the API gives with the task (GET /api/v1/tasks/{id}:
// `form`, fields of type string, number, boolean, enum, dateTime, stringList or recordList), and the
// values it sends as the decision's `data`. A recordList is a table, one row per record, each cell
// one of the record's fields drawn as a field of its own.
import { html, useRef } from '/vendor/preact-htm.js';

/** A record list's rows: those entered, else as many empty ones as it needs at least (`minItems`). */
function rowsOf(field, value) {
  return value ?? Array.from({ length: field.minItems ?? 0 }, () => ({}));
}

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
      case 'recordList': {
        const records = rowsOf(field, value).map((row) => formData(field.fields, row));
        if (records.length > 0 || field.required) data[name] = records;
        break;
      }
      default:
        if (value !== undefined && value !== '') data[name] = value;
    }
  }
  return data;
}

/** One field's control; `label` names it when no <label> does (a cell of a record list). */
function input(id, name, field, value, set, t, label) {
  const common = { id, name, required: field.required, 'aria-label': label, 'aria-describedby': field.type === 'stringList' ? `${id}-help` : undefined };
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

const requiredMark = (field, t) => (field.required ? html` <span class="required">(${t('task.required')})</span>` : '');

/**
 * A record list: a table with a column per field of its records and a row per record, rows added
 * up to `maxItems` and removed down to `minItems` (it starts with that many), so the count is
 * always one the API takes; each cell is checked as its field (required, bounds) before sending.
 */
function RecordList({ name, field, value, set, t }) {
  const rows = rowsOf(field, value);
  const add = useRef();
  const columns = Object.entries(field.fields);
  const setRow = (index, row) => set(rows.map((old, i) => (i === index ? row : old)));
  const remove = (index) => {
    set(rows.filter((_, i) => i !== index));
    add.current?.focus();
  };
  return html`<div class="record-list" id=${`field-${name}`} role="group" aria-labelledby=${`field-${name}-label`} data-rows=${rows.length}>
    ${rows.length === 0
      ? html`<p class="muted">${t('task.noRows')}</p>`
      : html`<div class="table-wrap">
          <table class="records">
            <thead>
              <tr><th scope="col">#</th>${columns.map(([sub, cell]) => html`<th scope="col">${sub}${requiredMark(cell, t)}</th>`)}<th scope="col">${t('task.rowActions')}</th></tr>
            </thead>
            <tbody>
              ${rows.map(
                (row, index) => html`<tr data-row=${index}>
                  <th scope="row">${index + 1}</th>
                  ${columns.map(
                    ([sub, cell]) => html`<td>
                      ${input(`field-${name}-${index}-${sub}`, `${name}.${index}.${sub}`, cell, row[sub], (v) => setRow(index, { ...row, [sub]: v }), t, t('task.cell', { field: sub, n: index + 1 }))}
                    </td>`,
                  )}
                  <td><button type="button" disabled=${rows.length <= (field.minItems ?? 0)} onClick=${() => remove(index)}>${t('task.removeRow', { n: index + 1 })}</button></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`}
    <div class="actions">
      <button type="button" ref=${add} disabled=${rows.length >= field.maxItems} onClick=${() => set([...rows, {}])}>${t('task.addRow')}</button>
      <small class="muted">${t('task.rowCount', { count: rows.length, max: field.maxItems })}</small>
    </div>
  </div>`;
}

/** The fields of `form`, each labelled with its name (and whether it is required). */
export function FormFields({ form, values, onChange, t }) {
  return Object.entries(form).map(([name, field]) => {
    const set = (value) => onChange({ ...values, [name]: value });
    return field.type === 'recordList'
      ? html`<div class="field">
          <span class="label" id=${`field-${name}-label`}>${name}${requiredMark(field, t)}</span>
          <${RecordList} name=${name} field=${field} value=${values[name]} set=${set} t=${t} />
        </div>`
      : html`<div class="field">
          <label for=${`field-${name}`}>${name}${requiredMark(field, t)}</label>
          ${input(`field-${name}`, name, field, values[name], set, t)}
        </div>`;
  });
}
