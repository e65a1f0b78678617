"""Packaging (issue 2 point 6): a real wheel, installed in a fresh venv, runs on the sample
and ships the rule packs as package data."""

from __future__ import annotations

import json
import subprocess
import sys
import venv

import pytest

from conftest import ROOT, SAMPLE, need


@pytest.mark.slow
def test_wheel_installs_and_runs_from_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = dist.glob("newslint-*.whl")
    names = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(wheel)], capture_output=True, text=True).stdout
    assert "newslint/rules/boilerplate.toml" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]

    exe = env_dir / "bin" / "newslint"
    res = subprocess.run([str(exe), "check", str(need(SAMPLE)), "--output-format", "json"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    codes = sorted(d["code"] for d in json.loads(res.stdout))
    assert codes.count("NL102") == 6 and codes.count("NL201") == 2 and "NL301" in codes
    # it is the installed copy that ran, not this checkout
    where = subprocess.run([str(py), "-c", "import newslint; print(newslint.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path).stdout
    assert str(env_dir) in where
    mod = subprocess.run([str(py), "-m", "newslint", "test-packs"], capture_output=True, text=True, cwd=tmp_path)
    assert mod.returncode == 0, mod.stdout + mod.stderr
