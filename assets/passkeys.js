// Passkey buttons on the sign-in pages: asks Keyline for WebAuthn options, lets the browser's
// passkey dialog answer them (through @simplewebauthn/browser, served as /assets/webauthn.js), and
// posts the answer back. Keyline answers with where to go next. Without WebAuthn the buttons stay hidden.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn || !webauthn.browserSupportsWebAuthn()) return;
  const errorBox = document.querySelector('[data-passkey-error]');

  const post = async (url, body) => {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    return { ok: response.ok, answer };
  };

  const failed = () => {
    if (!errorBox) return;
    errorBox.hidden = false;
    errorBox.focus();
  };

  // Absent when the page has no "Keep me signed in" (confirming it's you): the server then keeps the session's lifetime.
  const remembered = () => document.querySelector('input[name=remember]')?.checked;

  const run = async (button, { autofill = false } = {}) => {
    const { csrf, passkeyUrl } = button.dataset;
    const purpose = button.dataset.passkey;
    const issued = await post(`${passkeyUrl}/options`, { csrf, purpose });
    if (!issued.ok) {
      if (issued.answer.location) window.location.assign(issued.answer.location);
      else if (!autofill) failed();
      return;
    }
    let response;
    try {
      response = purpose === 'register'
        ? await webauthn.startRegistration({ optionsJSON: issued.answer.options })
        : await webauthn.startAuthentication({ optionsJSON: issued.answer.options, useBrowserAutofill: autofill });
    } catch (error) {
      // Cancelling the dialog, or the autofill request being replaced by the button's, is not a failure to report.
      if (!autofill && error && error.name !== 'AbortError') failed();
      return;
    }
    const nameInput = button.dataset.passkeyName ? document.getElementById(button.dataset.passkeyName) : null;
    const result = await post(passkeyUrl, {
      csrf, purpose, challengeId: issued.answer.challengeId, response, remember: remembered(), ...(nameInput ? { name: nameInput.value } : {}),
    });
    if (result.answer.location) window.location.assign(result.answer.location);
    else failed();
  };

  for (const section of document.querySelectorAll('[data-passkey-section]')) section.hidden = false;
  for (const button of document.querySelectorAll('[data-passkey]')) {
    button.addEventListener('click', () => {
      button.disabled = true;
      run(button).finally(() => { button.disabled = false; });
    });
    if (button.dataset.conditional === 'yes' && typeof webauthn.browserSupportsWebAuthnAutofill === 'function') {
      webauthn.browserSupportsWebAuthnAutofill().then((supported) => {
        if (supported) run(button, { autofill: true });
      });
    }
  }
});
