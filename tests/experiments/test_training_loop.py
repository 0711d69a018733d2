"""The resumable training loop: a Ctrl-C at every phase of every epoch (inside the advance,
inside the measurement, inside the checkpoint write) resumes to curves equal bit for bit to the
uninterrupted run, with no NaN; checkpoint writes are atomic; bad checkpoints are named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from experiments import checkpoint, training_loop
from experiments.training_loop import Interrupted, record_epochs, train_models

MODELS = ("AE", "WDAE", "DAE")
REC = record_epochs(12, 3)  # 0 3 6 9 12: four advances per model
SETTINGS = {"toy": 1}


def _advance(model: str, w1: np.ndarray, w2: np.ndarray, k: int, rng: np.random.Generator):
    a, b = w1.copy(), w2.copy()
    for _ in range(k):  # one noisy step per epoch: the RNG state matters
        a += 0.1 * (1 - a @ b) + 0.01 * rng.standard_normal(a.shape)
        b -= 0.05 * b * (model == "WDAE")
    return a, b


def _measure(w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    return np.array([w1.sum(), (w1 @ w2).item()])


INIT = (np.full((1, 2), 0.1), np.full((2, 1), 0.2))


def _run(path: Path, advance=_advance, measure=_measure, resume=False, overwrite=False,
         every=3):  # noqa: ANN001, ANN202
    return train_models(MODELS, INIT, advance, measure, REC, 2, ck_path=path,
                        settings=SETTINGS, seed=5, checkpoint_every=every, resume=resume,
                        overwrite=overwrite, progress=False, desc="toy")


def _flaky(f, at: int, counter: dict[str, int], *, partial: Path | None = None):  # noqa: ANN001, ANN202
    """``f`` that raises KeyboardInterrupt at its ``at``-th call (after writing half of a
    file to ``partial``'s open handle when given)."""
    def g(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        counter["n"] += 1
        if counter["n"] == at:
            if partial is not None:  # the first argument is the open temporary file
                a[0].write(b"PK\x03\x04 half a zip")
            raise KeyboardInterrupt
        return f(*a, **kw)
    return g


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> training_loop.Trained:
    return _run(tmp_path_factory.mktemp("straight") / "ck.npz")


def _same(a: training_loop.Trained, b: training_loop.Trained) -> None:
    for m in MODELS:
        assert not np.isnan(b.curves[m]).any(), m
        np.testing.assert_array_equal(a.curves[m], b.curves[m])
        np.testing.assert_array_equal(a.weights[m][0], b.weights[m][0])


N_ADVANCES = len(MODELS) * (REC.size - 1)
N_MEASURES = len(MODELS) * REC.size


@pytest.mark.parametrize("phase, calls", [("advance", range(1, N_ADVANCES + 1)),
                                          ("measure", range(1, N_MEASURES + 1))])
def test_interrupt_at_every_advance_and_measurement_resumes_exactly(
        tmp_path: Path, straight: training_loop.Trained, phase: str, calls: range) -> None:
    for at in calls:
        path = tmp_path / f"{phase}{at}.npz"
        counter = {"n": 0}
        kw = ({"advance": _flaky(_advance, at, counter)} if phase == "advance"
              else {"measure": _flaky(_measure, at, counter)})
        with pytest.raises(Interrupted) as info:
            _run(path, **kw)
        assert info.value.saved and info.value.path == path
        z = checkpoint.load(path, SETTINGS)[1]
        for m in MODELS:  # the saved rows up to the saved epoch are all measured
            e = int(z[f"{m}_epoch"])
            # (the start's row may still be pending while e = 0)
            rows = z[f"{m}_curves"][(0 if e else 1): int(np.searchsorted(REC, e)) + 1]
            assert not np.isnan(rows).any(), (phase, at, m, e)
        _same(straight, _run(path, resume=True))


@pytest.mark.parametrize("every", [3, 6])
def test_interrupt_inside_every_checkpoint_write_resumes_exactly(
        tmp_path: Path, straight: training_loop.Trained, monkeypatch: pytest.MonkeyPatch,
        every: int) -> None:
    real = np.savez
    n_saves = len(MODELS) * (REC.size - 1) // (every // 3) + 1
    for at in range(1, n_saves + 1):
        path = tmp_path / f"w{every}_{at}.npz"
        counter = {"n": 0}
        monkeypatch.setattr(checkpoint.np, "savez", _flaky(real, at, counter, partial=path))
        try:
            with pytest.raises(Interrupted):
                _run(path, every=every)
        finally:
            monkeypatch.setattr(checkpoint.np, "savez", real)
        assert not path.with_name(path.name + ".tmp").exists()  # no stray half-written file
        checkpoint.load(path, SETTINGS)  # a complete checkpoint (the rescue save) or none
        _same(straight, _run(path, resume=True, every=every))


def test_a_second_ctrl_c_during_the_rescue_write_keeps_the_previous_checkpoint(
        tmp_path: Path, straight: training_loop.Trained, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ck.npz"
    real = np.savez
    calls = {"n": 0}

    def failing(fh, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] >= 3:  # the third periodic save and the rescue save are cut short
            fh.write(b"PK\x03\x04 half")
            raise KeyboardInterrupt
        return real(fh, *a, **kw)

    monkeypatch.setattr(checkpoint.np, "savez", failing)
    with pytest.raises(Interrupted) as info:
        _run(path)
    monkeypatch.setattr(checkpoint.np, "savez", real)
    assert not info.value.saved and "could not be written" in str(info.value)
    epoch, _ = checkpoint.load(path, SETTINGS)  # the second save's checkpoint, intact
    assert epoch == 0  # min over the models: DAE has not started
    _same(straight, _run(path, resume=True))


def test_interrupt_message(tmp_path: Path) -> None:
    counter = {"n": 0}
    with pytest.raises(Interrupted) as info:
        _run(tmp_path / "ck.npz", advance=_flaky(_advance, 6, counter))
    # the sixth advance is WDAE's second (epochs 3 -> 6): its last recorded epoch is 3
    assert str(info.value) == (f"interrupted at epoch 3 (WDAE); checkpoint saved to "
                               f"{tmp_path / 'ck.npz'}; rerun with --resume to continue")


def test_unfinished_checkpoint_refuses_a_fresh_run_and_overwrite_starts_over(
        tmp_path: Path, straight: training_loop.Trained) -> None:
    path = tmp_path / "ck.npz"
    with pytest.raises(Interrupted):
        _run(path, advance=_flaky(_advance, 4, {"n": 0}))
    with pytest.raises(training_loop.UnfinishedRun, match="--resume.*--overwrite"):
        _run(path)
    _same(straight, _run(path, overwrite=True))


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04", b"garbage" * 10])
def test_truncated_checkpoint_is_a_checkpoint_error_naming_the_file(tmp_path: Path,
                                                                    content: bytes) -> None:
    path = tmp_path / "ck.npz"
    path.write_bytes(content)
    with pytest.raises(checkpoint.CheckpointError, match=str(path)):
        _run(path, resume=True)


def test_checkpoint_of_another_shape_is_a_checkpoint_error(tmp_path: Path) -> None:
    path = tmp_path / "ck.npz"
    checkpoint.save(path, SETTINGS, 0, {"AE_W1": np.zeros(2)})
    with pytest.raises(checkpoint.CheckpointError, match="does not fit"):
        _run(path, resume=True)


def test_non_finite_measurement_stops_the_model_and_is_reported(tmp_path: Path) -> None:
    def blowup(model, w1, w2, k, rng):  # noqa: ANN001, ANN202
        a, b = _advance(model, w1, w2, k, rng)
        return (a * np.inf, b) if model == "DAE" else (a, b)

    out = _run(tmp_path / "ck.npz", advance=blowup)
    assert out.diverged_at == {"AE": None, "WDAE": None, "DAE": 3}
    dae = out.curves["DAE"]
    assert not np.isfinite(dae[1]).any() and np.isnan(dae[2:]).all()  # stopped at epoch 3
    assert np.isfinite(out.curves["AE"]).all()


def test_record_epochs_dense_start() -> None:
    assert record_epochs(10, 5, dense_until=3).tolist() == [0, 1, 2, 5, 10]
    assert record_epochs(7, 5).tolist() == [0, 5, 7]


def test_progress_bar_counts_one_model_at_a_time(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    bars: list[dict[str, object]] = []
    real = training_loop.tqdm

    def recording(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        bars.append(kw)
        return real(*a, **{**kw, "disable": True})

    monkeypatch.setattr(training_loop, "tqdm", recording)
    _run(tmp_path / "ck.npz")
    assert [b["desc"] for b in bars] == [f"toy {m}" for m in MODELS]
    assert all(b["total"] == REC[-1] for b in bars)  # one model's epochs, not the sum


def test_json_writes_never_reached_and_non_finite_as_null(tmp_path: Path) -> None:
    import json

    from experiments.artifacts import save_json
    from experiments.nonlinear_figure import half_time

    rec = np.arange(5)
    assert half_time(rec, np.array([0.0, 0.1, 0.2, 0.3, 0.0])) is None  # final value 0
    p = save_json(tmp_path / "m.json", {"t": half_time(rec, np.zeros(5)),
                                        "x": [np.nan, 1.0, np.inf]})
    assert json.loads(p.read_text()) == {"t": None, "x": [None, 1.0, None]}


def test_a_real_sigint_during_the_commit_is_delivered_after_it() -> None:
    import os
    import signal

    done = []
    # the handler in force before (the default one in a terminal; SIG_IGN in a process started
    # in the background by a non-interactive shell) is the one restored afterwards
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        with training_loop._sigint_held():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("row")  # the signal did not cut the block short
            done.append("state")
    assert done == ["row", "state"]
    assert signal.getsignal(signal.SIGINT) is before
