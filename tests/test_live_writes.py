"""Every write into a live site/ goes through lintas/write.py: the preview behind `serve` replaces
files and the search index with `replace_files` and `replace_folder`, and the search writers hand
their files to `write_outputs` in memory."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lintas.outputs import OutputError
from lintas.write import replace_files, replace_folder

ROOT = Path(__file__).resolve().parent.parent
# Modules that produce files for site/ but must leave the writing to write.py.
WRITERS = ("lintas/preview.py", "lintas/site/search.py", "lintas/site/search_canon.py")
FILE_CALLS = {"write_bytes", "write_text", "replace", "rename", "rmtree", "unlink", "mkdir", "move",
              "copyfile", "copytree"}


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    (site / "index.html").write_text("old home", encoding="utf-8")
    (site / "posts/index.html").write_text("old posts", encoding="utf-8")
    (site / "pagefind").mkdir()
    (site / "pagefind/old.pf_meta").write_bytes(b"old")
    return site


def _leftovers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site.new-"))


def test_replace_files_rewrites_files_in_place(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert replace_files(site, {"index.html": b"new home", "posts/index.html": b"new posts"}) == 2
    assert (site / "index.html").read_bytes() == b"new home"
    assert (site / "posts/index.html").read_bytes() == b"new posts"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("rel", ["new-folder/index.html", "../outside.html", "/etc/passwd"])
def test_replace_files_refuses_a_path_it_cannot_patch(tmp_path: Path, rel: str) -> None:
    site = _site(tmp_path)
    with pytest.raises(OutputError):
        replace_files(site, {"index.html": b"new home", rel: b"x"})
    assert not (tmp_path / "outside.html").exists()
    assert not (site / "new-folder").exists()
    assert _leftovers(tmp_path) == []


def test_replace_folder_swaps_the_whole_folder(tmp_path: Path) -> None:
    site = _site(tmp_path)

    def fill(out: Path) -> None:
        out.mkdir()
        (out / "new.pf_meta").write_bytes(b"new")

    replace_folder(site, "pagefind", fill)
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == ["new.pf_meta"]
    assert _leftovers(tmp_path) == []


def test_a_failed_fill_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    site = _site(tmp_path)

    def fail(out: Path) -> None:
        out.mkdir()
        raise RuntimeError("indexer died")

    with pytest.raises(RuntimeError):
        replace_folder(site, "pagefind", fail)
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == ["old.pf_meta"]
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("rel", WRITERS)
def test_the_writers_leave_the_disk_to_write_py(rel: str) -> None:
    tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
    calls = sorted({node.func.attr for node in ast.walk(tree)
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in FILE_CALLS and not _is_str_method(node)})
    assert calls == [], f"{rel} writes files itself: {calls}"


def _is_str_method(node: ast.Call) -> bool:
    """`text.replace(a, b)` on a string is not a file operation: os.replace and Path.replace take
    one argument (Path) or are called on `os`."""
    func = node.func
    assert isinstance(func, ast.Attribute)
    return func.attr == "replace" and len(node.args) == 2 and not (
        isinstance(func.value, ast.Name) and func.value.id == "os")
