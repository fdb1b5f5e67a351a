// Keyline's pages work without this file; it adds the show-password toggle, moves focus to an
// error, and counts down the wait on the throttled page (with its Sign in button disabled meanwhile). Served by Keyline with the page's CSP nonce.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  // Focus the error message so keyboard and screen-reader users land on what went wrong.
  const error = document.querySelector('[data-focus-on-load]');
  if (error) error.focus();

  for (const toggle of document.querySelectorAll('[data-password-toggle]')) {
    const input = document.getElementById(toggle.dataset.passwordToggle);
    if (!input) continue;
    toggle.hidden = false;
    toggle.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      toggle.textContent = show ? toggle.dataset.hide : toggle.dataset.show;
      toggle.setAttribute('aria-label', show ? toggle.dataset.hideLabel : toggle.dataset.showLabel);
      input.focus();
    });
    // Password managers save what a password field submits: never submit it as plain text.
    input.form?.addEventListener('submit', () => {
      input.type = 'password';
    });
  }

  // A press during the throttle's countdown would only be refused: the button waits it out.
  for (const button of document.querySelectorAll('[data-countdown-disables]')) {
    button.disabled = true;
    setTimeout(() => { button.disabled = false; }, Number(button.dataset.countdownDisables) * 1000);
  }

  for (const counter of document.querySelectorAll('[data-countdown]')) {
    const format = new Intl.RelativeTimeFormat(counter.dataset.lang || document.documentElement.lang, { numeric: 'always' });
    const alert = counter.closest('[role=alert]');
    const done = alert?.querySelector('[data-countdown-done]');
    const text = alert?.querySelector('[data-countdown-text]');
    const endsAt = Date.now() + Number(counter.dataset.countdown) * 1000;
    // The alert was announced once; ticking seconds must not be re-announced every second.
    alert?.removeAttribute('role');
    const tick = () => {
      const seconds = Math.ceil((endsAt - Date.now()) / 1000);
      if (seconds <= 0) {
        if (text) text.hidden = true;
        if (done) {
          done.textContent = done.dataset.countdownDone;
          done.classList.remove('kl-visually-hidden');
        }
        return;
      }
      counter.textContent = seconds >= 120 ? format.format(Math.ceil(seconds / 60), 'minute') : format.format(seconds, 'second');
      const untilNextSecond = (endsAt - Date.now()) % 1000;
      setTimeout(tick, untilNextSecond > 0 ? untilNextSecond : 1000);
    };
    tick();
  }
});
