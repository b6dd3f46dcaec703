// Progressive enhancement of the prediction form: submit it to the JSON API with fetch and show
// the result (or each field's message) in place, without a page load. Without this script the
// form posts to the server, which renders the same page: both paths show the same things.
(() => {
  const form = document.getElementById('predict-form');
  const result = document.getElementById('result');
  const summary = document.getElementById('error-summary');
  if (!form || !result || !summary || !window.fetch) return;
  const button = form.querySelector('button[type="submit"]');
  // Same options as the server's predictionFormat (src/form/page.ts).
  const format = new Intl.NumberFormat('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });

  // Same options as the server's probabilityFormat (src/form/page.ts).
  const percent = new Intl.NumberFormat('en-US', {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });

  const controls = () => Array.from(form.elements).filter((el) => el.name);

  const paragraph = (className, text) => {
    const p = document.createElement('p');
    p.className = className;
    p.textContent = text;
    return p;
  };

  function clearErrors() {
    for (const control of controls()) {
      control.removeAttribute('aria-invalid');
      control.closest('.field')?.classList.remove('invalid');
      const message = document.getElementById(`${control.id}-error`);
      if (message) message.textContent = '';
    }
    summary.replaceChildren();
    summary.hidden = true;
  }

  function showErrors(details) {
    const items = [];
    let first;
    for (const { path, message } of details) {
      // A field's control is found by its name; its id may be an escaped form of the name.
      const control = form.elements.namedItem(path);
      const target = control ? document.getElementById(`${control.id}-error`) : null;
      const label = control?.labels?.[0] ?? null;
      if (control && target && !target.textContent) {
        target.textContent = message;
        control.setAttribute('aria-invalid', 'true');
        control.closest('.field')?.classList.add('invalid');
        first ??= control;
      }
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `#${control ? control.id : path}`;
      link.textContent = `${label ? label.firstChild.textContent.trim() : path}: ${message}`;
      item.append(link);
      items.push(item);
    }
    const heading = document.createElement('h2');
    heading.textContent =
      items.length === 1 ? '1 value needs correcting' : `${items.length} values need correcting`;
    const list = document.createElement('ul');
    list.append(...items);
    summary.replaceChildren(heading, list);
    summary.hidden = false;
    result.replaceChildren();
    document.title = `Error: ${document.title.replace(/^Error: /, '')}`;
    first?.focus();
  }

  function showPrediction(body) {
    const unit = result.dataset.unit ? ` ${result.dataset.unit}` : '';
    const line = paragraph('prediction', `Predicted ${result.dataset.target}: `);
    const value = document.createElement('strong');
    // A classifier answers its class label and the probability of each class.
    const classified = body.probabilities && typeof body.probabilities === 'object';
    value.textContent = classified
      ? String(body.prediction)
      : `${format.format(body.prediction)}${unit}`;
    line.append(value);
    const parts = [line];
    if (classified) {
      const list = document.createElement('ul');
      list.className = 'probabilities';
      list.setAttribute('aria-label', 'Probability of each class');
      for (const [label, p] of Object.entries(body.probabilities)) {
        const item = document.createElement('li');
        const name = document.createElement('span');
        name.className = 'class';
        name.textContent = label;
        const bar = document.createElement('meter');
        bar.min = 0;
        bar.max = 1;
        bar.value = p;
        const text = document.createElement('span');
        text.className = 'percent';
        text.textContent = percent.format(p);
        item.append(name, bar, text);
        list.append(item);
      }
      parts.push(list);
    }
    parts.push(paragraph('model', `Model ${body.model.name} ${body.model.version}`));
    result.replaceChildren(...parts);
    document.title = document.title.replace(/^Error: /, '');
  }

  const showNotice = (message) => result.replaceChildren(paragraph('notice', message));

  // The explanation chart is rendered once, by the server: the same form posted to the page
  // answers it, and it is moved beside the prediction (nothing when the model has none).
  async function showExplanation() {
    const response = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
    });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const chart = page.querySelector('#result .explanation');
    const model = result.querySelector('.model');
    if (chart && model) result.insertBefore(document.adoptNode(chart), model);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const record = {};
    for (const control of controls()) {
      const value = control.value.trim();
      if (value === '') continue; // the API answers "is required"
      record[control.name] = control.type === 'number' ? Number(value) : value;
    }
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(form.dataset.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(record),
      });
      const body = await response.json();
      clearErrors();
      if (response.ok) {
        showPrediction(body);
        await showExplanation().catch(() => {});
      } else if (response.status === 422) showErrors(body.error.details);
      else showNotice(body.error?.message ?? `The request failed (${response.status}).`);
    } catch {
      clearErrors();
      showNotice('The service could not be reached. Please try again.');
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
})();
