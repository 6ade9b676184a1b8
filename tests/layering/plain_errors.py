#!/usr/bin/env python3
"""Fails when server/ or sync/ builds an Error from plain text instead of a catalog Message, naming file:line.

Every error a person reads comes from the message catalog (sync/src/message.cpp) in their language. An
`Error(code, <text>, ...)` whose second argument holds a string literal, a concatenation (`+`) or an exception's
`what()` at its top level is plain text; a Message (`Message{...}`), a variable or a call is not. `--self-test` checks
the scanner against a small sample.
"""
import argparse
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from function_length import strip_code  # noqa: E402  (blanks comments, keeps "" for each string literal)

ERROR = re.compile(r'\bError\s*\(')


def arguments(code, start):
    """The top-level arguments of the call whose '(' is at start, and the index after its ')'."""
    args, depth, begin = [], 0, start + 1
    for i in range(start, len(code)):
        c = code[i]
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                args.append(code[begin:i])
                return args
        elif c == ',' and depth == 1:
            args.append(code[begin:i])
            begin = i + 1
    return args


def top_level(argument):
    """The argument with everything inside brackets removed: what is left is its top-level expression."""
    out, depth = [], 0
    for c in argument:
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        elif depth == 0:
            out.append(c)
    return ''.join(out)


def is_plain(argument):
    text = argument.strip()
    if re.match(r'^(fieldsync::)?Message\s*[{(]', text):
        return False
    top = top_level(text)
    return '""' in top or '+' in top or re.search(r'\.what\s*$', top) is not None


def plain_errors(text):
    code = strip_code(text)
    for m in ERROR.finditer(code):
        args = arguments(code, m.end() - 1)
        if len(args) >= 2 and is_plain(args[1]):
            yield code.count('\n', 0, m.start()) + 1


def check(root):
    root = pathlib.Path(root)
    failures = []
    for top in ('server', 'sync'):
        for path in sorted((root / top).rglob('*')):
            if path.suffix not in ('.cpp', '.hpp', '.h') or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            for line in plain_errors(path.read_text(encoding='utf-8')):
                failures.append(f'{rel}:{line}: an Error built from plain text; throw a catalog Message')
    for f in failures:
        print(f)
    return 1 if failures else 0


def self_test():
    sample = '''// Error(ErrorCode::internal, "in a comment")
void f() {
    throw Error(ErrorCode::not_found, "no job " + id);
    throw Error(ErrorCode::invalid_field, fieldsync::Message{"field.empty", {{"field", "x + y"}}}, "x");
    throw Error(ErrorCode::invalid_field,
                "spread over lines", "x");
    throw Error(e.code(), where + ": " + e.what(), where);
    throw Error(e.code(), e.what());
    throw Error(code, text(c, "error_message"), "f");
    throw Error(ErrorCode::conflict, flag ? "a" : "b");
    throw Error(ErrorCode::forbidden, why, "kind");
    const char* s = "Error(ErrorCode::internal, \\"in a string\\")";
}
'''
    found = list(plain_errors(sample))
    expected = [3, 5, 7, 8, 10]
    if found != expected:
        print(f'self-test: found plain errors on lines {found}, expected {expected}')
        return 1
    print('self-test passed')
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', nargs='?', default=pathlib.Path(__file__).resolve().parents[2])
    parser.add_argument('--self-test', action='store_true')
    args = parser.parse_args()
    return self_test() if args.self_test else check(args.root)


if __name__ == '__main__':
    sys.exit(main())
