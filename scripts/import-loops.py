#!/usr/bin/env python3
"""Lists import loops between the modules of a crate: pairs of files that import each other
(`use super::x`, `use crate::a::b`, and `super::x::f` paths in code), a module and its own
submodules excepted (a parent declaring `mod child` and the child using `super::` is the
normal shape). Test modules are skipped.

    scripts/import-loops.py app/src adapters/src     # prints nothing when there are none
"""
import os, re, sys


def modules(src):
    out = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'): continue
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, src)[:-3].split(os.sep)
            if rel[-1] in ('mod', 'lib', 'main'): rel = rel[:-1]
            out[tuple(rel)] = p
    return out

def resolve(mods, path):
    # longest prefix that is a module
    for n in range(len(path), 0, -1):
        if tuple(path[:n]) in mods: return tuple(path[:n])
    return None

def edges(src):
    mods = modules(src)
    e = set()
    for m, p in mods.items():
        text = open(p).read()
        # strip test modules crudely: cut at '#[cfg(test)]\nmod tests {'
        text = re.split(r'#\[cfg\(test\)\]\s*mod tests \{', text)[0]
        is_dir = os.path.basename(p) in ('mod.rs', 'lib.rs', 'main.rs')
        for mm in re.finditer(r'\b((?:crate|super)(?:::(?:super|[A-Za-z_][A-Za-z0-9_]*))*)(?:::\{([^;]*?)\})?', text):
            parts = mm.group(1).split('::')
            base = list(m) if is_dir else list(m[:-1])
            if parts[0] == 'crate': base = []; parts = parts[1:]
            else:
                parts = parts[1:]
                if not is_dir: pass
                else: base = base[:-1] if base else base
                # 'super' from a file module m means m's parent; from mod.rs means parent of dir
            while parts and parts[0] == 'super':
                base = base[:-1]; parts = parts[1:]
            targets = [base + parts]
            if mm.group(2):
                for item in re.split(r',', mm.group(2)):
                    item = item.strip().split('::')[0].split(' ')[0]
                    if item and item != 'self': targets.append(base + parts + [item])
            for t in targets:
                r = resolve(mods, t)
                if r is not None and r != m: e.add((m, r))
    return mods, e

for src in sys.argv[1:]:
    mods, e = edges(src)
    for a, b in sorted(e):
        if a < b and (b, a) in e:
            # skip parent/child pairs
            if a == b[:len(a)] or b == a[:len(b)]: continue
            print(f"{src}: {'::'.join(a) or 'crate'} <-> {'::'.join(b) or 'crate'}")
