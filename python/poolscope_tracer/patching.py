"""Replacing a library function or method in place, keeping what identifies it (name,
qualified name, module: a replaced module function still pickles by reference)."""
import functools


def replace(owner, name, make):
    """Sets owner.name to make(original), as a staticmethod or classmethod if the original was one."""
    raw = owner.__dict__[name]
    kind = type(raw) if isinstance(raw, (staticmethod, classmethod)) else None
    original = raw.__func__ if kind else raw
    wrapper = functools.wraps(original)(make(original))
    setattr(owner, name, kind(wrapper) if kind else wrapper)
    return original
