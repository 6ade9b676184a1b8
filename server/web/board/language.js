// The interface language every page shares (board, care desk, portal, technician app): the user's choice kept
// under the page's own key, else the browser's languages (any Chinese gives zh-CN), and t() over the page's
// dictionaries (the first that has the key in the language, else in English, else the key itself); and the headers
// that tell the server how the page reads.
export function language_of(storage_key, dictionaries) {
  const stored = () => { try { return localStorage.getItem(storage_key); } catch { return null; } };
  const initial = () => {
    const chosen = stored();
    if (chosen && dictionaries[0][chosen]) return chosen;
    const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
    return wanted.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
  };
  let language = initial();
  document.documentElement.lang = language;
  const find = (lang, key) => dictionaries.map((d) => d[lang]?.[key]).find((text) => text !== undefined);
  return {
    set_language(lang) {
      language = lang;
      try { localStorage.setItem(storage_key, lang); } catch { /* private mode: the choice lasts for this page */ }
      document.documentElement.lang = lang;
    },
    current_language: () => language,
    // The string for key with {name} placeholders filled in.
    t(key, params = {}) {
      const text = find(language, key) ?? find('en', key) ?? key;
      return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
    },
  };
}

// Accept-Language words the server's messages in the page's language; Time-Zone names the zone the page shows times
// in (the browser's unless the page shows another), so times inside a message (a visit clash) read as the page's own.
export function reader_headers(language, zone = Intl.DateTimeFormat().resolvedOptions().timeZone) {
  return { 'Accept-Language': language, 'Time-Zone': zone };
}
