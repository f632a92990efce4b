#!/usr/bin/python3
"""A real X11 drag source for the end-to-end tests (driven by tests/e2e/xdnd.mjs).

Opens an undecorated GTK 3 window at a given screen position listing the given paths, and offers
them as `text/uri-list` (file:// URIs) when a drag starts on it. The drag itself is performed by
xdotool (a real pointer under Xvfb), so what the app receives is an ordinary XDND drop, exactly as
from a file manager.

Protocol on stdout, one line each:
  READY <x> <y> <width> <height>     once the window is mapped (root coordinates)
  BEGIN                              the drag started (pointer moved past GTK's drag threshold)
  DATA <target>                      the drop target asked for the data (may repeat)
  END ok=<0|1> action=<name>         the drag finished; ok=1 when the target accepted the drop
  FAILED <reason>                    the drag was cancelled (no target, refused, user cancelled…)
  TIMEOUT                            nothing finished in time
Exit status: 0 when the drop was accepted, 3 when the drag ended without an accepted drop,
4 on timeout, 2 on bad arguments.

Usage: drag_source.py --x X --y Y [--width W] [--height H] [--timeout S] PATH...
Needs python3-gi and gir1.2-gtk-3.0 (Debian), and an X display (GDK_BACKEND is forced to x11).
"""

import argparse
import os
import sys

os.environ["GDK_BACKEND"] = "x11"

import gi  # noqa: E402

gi.require_version("Gdk", "3.0")
gi.require_version("Gtk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

URI_LIST = "text/uri-list"
TEXT = "text/plain;charset=utf-8"
INFO_URI_LIST = 0
INFO_TEXT = 1


def say(line):
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--x", type=int, required=True, help="window's left edge (root coordinates)")
    parser.add_argument("--y", type=int, required=True, help="window's top edge (root coordinates)")
    parser.add_argument("--width", type=int, default=160)
    parser.add_argument("--height", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before giving up")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    # GLib's own encoder: file:///abs/path with everything outside RFC 3986's unreserved and
    # path characters percent-encoded (spaces, '#', '%', non-ASCII as UTF-8 bytes…).
    uris = [GLib.filename_to_uri(os.path.abspath(p), None) for p in args.paths]

    state = {"status": None}

    window = Gtk.Window(type=Gtk.WindowType.TOPLEVEL)
    window.set_title("driftdeck-e2e-drag-source")
    window.set_decorated(False)
    window.set_resizable(False)
    window.set_keep_above(True)
    window.set_default_size(args.width, args.height)
    window.set_size_request(args.width, args.height)
    # Without a window manager the requested position is where the window appears.
    window.move(args.x, args.y)

    # An event box: a plain label has no window of its own to receive the button press.
    box = Gtk.EventBox()
    box.set_visible_window(True)
    label = Gtk.Label(label="\n".join(os.path.basename(p.rstrip("/")) or p for p in args.paths))
    label.set_ellipsize(3)  # Pango.EllipsizeMode.END, without importing Pango
    label.set_margin_start(6)
    label.set_margin_end(6)
    box.add(label)
    window.add(box)

    targets = [
        Gtk.TargetEntry.new(URI_LIST, 0, INFO_URI_LIST),
        Gtk.TargetEntry.new(TEXT, 0, INFO_TEXT),
    ]
    box.drag_source_set(
        Gdk.ModifierType.BUTTON1_MASK,
        targets,
        Gdk.DragAction.COPY | Gdk.DragAction.LINK | Gdk.DragAction.MOVE,
    )

    def on_begin(_widget, _context):
        say("BEGIN")

    def on_data_get(_widget, _context, selection, info, _time):
        if info == INFO_URI_LIST:
            selection.set_uris(uris)
            say(f"DATA {URI_LIST}")
        else:
            selection.set_text("\n".join(os.path.abspath(p) for p in args.paths), -1)
            say(f"DATA {TEXT}")

    def on_data_delete(widget, _context):
        # A MOVE asks the source to delete what was moved: never delete anything here.
        widget.stop_emission_by_name("drag-data-delete")

    def on_failed(_widget, _context, result):
        state["status"] = 3
        say(f"FAILED {result.value_nick}")
        return True  # no "snap back" animation: end now

    def on_end(_widget, context):
        ok = Gdk.drag_drop_succeeded(context)
        action = context.get_selected_action()
        names = [n for flag, n in ((Gdk.DragAction.COPY, "copy"), (Gdk.DragAction.MOVE, "move"),
                                   (Gdk.DragAction.LINK, "link")) if action & flag]
        say(f"END ok={1 if ok else 0} action={'|'.join(names) or 'none'}")
        if state["status"] is None:
            state["status"] = 0 if ok else 3
        # Let the final XDND messages (XdndFinished handling) go out before quitting.
        GLib.timeout_add(100, Gtk.main_quit)

    def on_map(_widget, _event):
        gdk_window = window.get_window()
        _, x, y = gdk_window.get_origin()
        say(f"READY {x} {y} {gdk_window.get_width()} {gdk_window.get_height()}")
        return False

    def on_timeout():
        if state["status"] is None:
            state["status"] = 4
            say("TIMEOUT")
        Gtk.main_quit()
        return False

    box.connect("drag-begin", on_begin)
    box.connect("drag-data-get", on_data_get)
    box.connect("drag-data-delete", on_data_delete)
    box.connect("drag-failed", on_failed)
    box.connect("drag-end", on_end)
    window.connect("map-event", on_map)
    window.connect("destroy", Gtk.main_quit)

    GLib.timeout_add(int(args.timeout * 1000), on_timeout)
    window.show_all()
    Gtk.main()
    return state["status"] if state["status"] is not None else 3


if __name__ == "__main__":
    sys.exit(main())
