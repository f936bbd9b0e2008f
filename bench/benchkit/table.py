"""Plain-text tables: a title, a header row and left-aligned first column."""


def print_table(title, header, rows, notes=()):
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row):
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    print()
    print(title)
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    for note in notes:
        print(note)
    print(flush=True)


def fmt(value, spec, missing="n/a"):
    return missing if value is None else format(value, spec)


def ratio(value, reference):
    """value / reference as '0.93x', or n/a when either is missing."""
    if value is None or not reference:
        return "n/a"
    return f"{value / reference:.2f}x"


def times(value):
    """A ratio as '0.93x', or n/a."""
    return fmt(value, ".2f") + "x" if value is not None else "n/a"


def verdict(value, limit, better):
    """'met' if better(value, limit) (operator.le, operator.ge...), 'MISSED' if not, n/a when
    either is missing."""
    if value is None or limit is None:
        return "n/a"
    return "met" if better(value, limit) else "MISSED"
