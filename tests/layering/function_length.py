#!/usr/bin/env python3
"""Fails when a function in server/ is longer than the limit (80 lines), naming file:line, function and length.

A function counts from the line of its name to its closing brace; lambdas and local classes count as part of
the function around them. Functions named in the allow-list ("path function  # why", one a line) are reported as
allowed instead of failing, and an entry that matches no long function fails the check so the list stays true.
`--self-test` checks the scanner against a small generated tree.
"""
import argparse
import pathlib
import re
import sys
import tempfile

LIMIT = 80
CONTAINER = re.compile(r'^(template\s*<.*>\s*)?(namespace\b|extern\s*""|(class|struct|union)\b(?!.*\())', re.S)
NOT_A_FUNCTION = re.compile(r'^(template\s*<.*>\s*)?(typedef\s+)?enum\b|=\s*$|\b(return|throw)\b', re.S)
ACCESS = re.compile(r'^(\s*(public|protected|private)\s*:(?!:))*\s*')
LAMBDA = re.compile(r'([\w:]+)\s*=\s*\[[^\]]*\]')


def strip_code(text):
    """Blanks comments, string and character literals and preprocessor lines, keeping every newline."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == '#':
            while i < n and not (text[i] == '\n' and text[i - 1] != '\\'):
                i += 1
            continue
        if c == '\n':
            out.append(c)
            at_line_start = True
            i += 1
            continue
        if not c.isspace():
            at_line_start = False
        if text.startswith('//', i):
            while i < n and text[i] != '\n':
                i += 1
        elif text.startswith('/*', i):
            end = text.find('*/', i + 2)
            end = n if end < 0 else end + 2
            out.append(''.join(ch for ch in text[i:end] if ch == '\n'))
            i = end
        elif c == 'R' and text.startswith('"', i + 1) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
            open_paren = text.find('(', i + 2)
            delim = ')' + text[i + 2:open_paren] + '"'
            end = text.find(delim, open_paren)
            end = n if end < 0 else end + len(delim)
            out.append('""' + ''.join(ch for ch in text[i:end] if ch == '\n'))
            i = end
        elif c == '"' or (c == "'" and not is_digit_separator(text, i)):
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def is_digit_separator(text, i):
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_.'"):
        j -= 1
    return j < i and text[j].isdigit()


def function_name(header):
    """The (qualified) name before the parameter list, or the variable a lambda initialises."""
    lambda_variable = LAMBDA.search(header)
    if lambda_variable and '(' not in header[:lambda_variable.start()]:
        return lambda_variable.group(1)
    depth = 0
    for k, ch in enumerate(header):
        if ch == '<':
            depth += 1
        elif ch == '>' and depth > 0:
            depth -= 1
        elif ch == '(' and depth == 0:
            before = header[:k].rstrip()
            if before.endswith(']'):
                return 'lambda'
            match = re.search(r'((?:[\w~]+\s*::\s*)*(?:operator\s*[^\w\s(]+|operator\s+[\w:<>]+|~?\w+))$', before)
            return re.sub(r'\s+', '', match.group(1)) if match else None
    return None


def in_initializer_list(header):
    """True when the header is a constructor's member initialiser list ("...) : a_(x), b_")."""
    return re.search(r'\)\s*(noexcept\s*)?:(?!:)', header) is not None and re.search(r'[\w>]\s*$', header) is not None


def long_functions(path, text, limit=LIMIT):
    code = strip_code(text)
    found = []
    scopes = []  # names of the enclosing namespaces and classes ('' for extern "C")
    header_start = 0
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c in ';}':
            if c == '}' and scopes:
                scopes.pop()
            header_start = i + 1
        elif c == '{':
            header = ACCESS.sub('', code[header_start:i]).strip()
            if in_initializer_list(header):
                i = matching_brace(code, i) + 1
                continue
            name = None if CONTAINER.match(header) or NOT_A_FUNCTION.search(header) else function_name(header)
            if name is None:
                if CONTAINER.match(header):
                    kind = re.match(r'^(template\s*<.*>\s*)?(\w+)\s*([\w:]*)', header, re.S)
                    scopes.append(kind.group(3) if kind.group(2) != 'namespace' else kind.group(3) or '(anonymous)')
                    header_start = i + 1
                    i += 1
                    continue
                i = matching_brace(code, i) + 1
                header_start = i
                continue
            end = matching_brace(code, i)
            first_line = code.count('\n', 0, header_start + ACCESS.match(code[header_start:i]).end()) + 1
            last_line = code.count('\n', 0, end) + 1
            length = last_line - first_line + 1
            if length > limit:
                qualified = '::'.join([s for s in scopes if s] + [name])
                found.append((str(path), first_line, qualified, length))
            i = end + 1
            header_start = i
            continue
        i += 1
    return found


def matching_brace(code, i):
    depth = 0
    for j in range(i, len(code)):
        if code[j] == '{':
            depth += 1
        elif code[j] == '}':
            depth -= 1
            if depth == 0:
                return j
    return len(code) - 1


def read_allow_list(path):
    entries = set()
    if path is None:
        return entries
    for line in pathlib.Path(path).read_text().splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            file, function = line.split(None, 1)
            entries.add((file, function.strip()))
    return entries


def check(root, allow_path):
    root = pathlib.Path(root)
    allowed = read_allow_list(allow_path)
    used = set()
    failed = False
    for path in sorted(p for p in (root / 'server').rglob('*') if p.suffix in ('.cpp', '.hpp')):
        rel = path.relative_to(root).as_posix()
        for file, line, name, length in long_functions(rel, path.read_text(encoding='utf-8')):
            if (file, name) in allowed:
                used.add((file, name))
                print(f'function_length: allowed {file}:{line} {name} {length} lines')
            else:
                print(f'function_length: {file}:{line} {name} {length} lines (limit {LIMIT})')
                failed = True
    for file, name in sorted(allowed - used):
        print(f'function_length: allow-list entry "{file} {name}" matches no function over {LIMIT} lines; remove it')
        failed = True
    if failed:
        print(f'function_length: FAILED (split long functions into named helpers; limit {LIMIT} lines)')
        return 1
    print('function_length: ok')
    return 0


def self_test():
    body = '\n'.join(f'    x += {k};' for k in range(80))
    sample = f'''// sample
#include <string>
namespace outer {{
namespace {{
int short_one() {{ return 1; }}
}}  // namespace
class Widget {{
public:
    Widget(int a) : a_{{a}}, b_(a) {{
{body}
    }}
    int render() const {{
        auto f = [](int v) {{ return v; }};
        const char* s = "}} {{ // ";
        char q = '}}';
        int big = 1'000;
{body}
        return f(big);
    }}
    int a_; int b_;
}};
struct Plain {{ int v{{0}}; }};
}}  // namespace outer
static const auto kTable = [] {{
    int x = 0;
{body}
    return x;
}}();
int outer::Widget::fits(int x) {{
    if (x) {{ return 1; }}
    return 0;
}}
'''
    expected = [('s.cpp', 9, 'outer::Widget::Widget', 82), ('s.cpp', 91, 'outer::Widget::render', 87),
                ('s.cpp', 182, 'kTable', 84)]
    got = long_functions('s.cpp', sample)
    if got != expected:
        print(f'function_length self-test: expected {expected}, got {got}')
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / 'server').mkdir()
        (pathlib.Path(tmp) / 'server' / 's.cpp').write_text(sample)
        allow = pathlib.Path(tmp) / 'allow.txt'
        allow.write_text('server/s.cpp outer::Widget::Widget  # sample\nserver/s.cpp kTable\n')
        if check(tmp, allow) != 1:
            print('function_length self-test: a long function outside the allow-list passed')
            return 1
        allow.write_text(allow.read_text() + 'server/s.cpp outer::Widget::render\nserver/s.cpp gone\n')
        if check(tmp, allow) != 1:
            print('function_length self-test: a stale allow-list entry passed')
            return 1
    print('function_length self-test: ok')
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', nargs='?', default=pathlib.Path(__file__).resolve().parents[2])
    parser.add_argument('--allow', help='allow-list file: "path function" per line, # starts a comment')
    parser.add_argument('--self-test', action='store_true')
    args = parser.parse_args()
    return self_test() if args.self_test else check(args.root, args.allow)


if __name__ == '__main__':
    sys.exit(main())
