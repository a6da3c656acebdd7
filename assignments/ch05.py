"""Chapter 5, diagnostics: its exercises as otter-grader questions.

Each test is copied into the assignment whole, so it imports what it uses. Quantities of the
post's chain (``runs.post_run()``) must be "right" as the self-checks define it: within 0.05% of
what the package computes.
"""

from eightschools.assignments import Question

CHAPTER = "05_diagnostics.ipynb"


def public_ar1(draws_needed, ar1_draws, ess_of_ar1):
    """A whole number of draws; four chains of AR(1) draws; a positive ESS."""
    import numpy as np

    assert int(draws_needed) == draws_needed > 0, "draws_needed is a whole number of draws"
    assert np.ndim(ar1_draws) == 2 and np.shape(ar1_draws)[0] == 4, "ar1_draws: (4 chains, n)"
    assert ess_of_ar1 > 0, "an effective sample size is positive"


def hidden_ar1(draws_needed, ar1_draws, ess_of_ar1):
    """S = 1,000 (1 + rho)/(1 - rho) draws; the ESS right by check and within 20% of 1,000."""
    import numpy as np

    from eightschools import check

    rho = 0.9
    assert round(draws_needed) == round(1_000 * (1 + rho) / (1 - rho))
    assert np.size(ar1_draws) == round(draws_needed)
    assert check.effective_sample_size(ar1_draws, ess_of_ar1)
    assert abs(ess_of_ar1 - 1_000) <= 0.2 * 1_000


CH5_AR1 = Question("ex-ch5-ar1", (public_ar1, hidden_ar1), draws_needed="chains * n",
                   ar1_draws="ar", ess_of_ar1="dg.ess(ar, 'mean')", graded="`draws_needed` for "
                   "an ESS of 1,000, your `ar1_draws` (4 chains) and `ess_of_ar1`, their ESS.")


def public_thin(ess_full, ess_thin, mcse_full, mcse_thin):
    """Positive numbers; thinning keeps 500 of 5,000 draws, so its ESS is at most 500."""
    assert min(ess_full, ess_thin, mcse_full, mcse_thin) > 0, "ESS and MCSE are positive"
    assert ess_thin <= 500, "the thinned chain has 500 draws: its ESS is at most about that"


def hidden_thin(ess_full, ess_thin, mcse_full, mcse_thin):
    """dg.ess(..., "mean") and dg.mcse of log tau in the post's chain, all and every 10th."""
    import numpy as np

    from eightschools import diagnostics as dg
    from eightschools import runs

    full = runs.post_run().kept[:, 1]
    truth = [dg.ess(full, "mean"), dg.ess(full[::10], "mean"), dg.mcse(full), dg.mcse(full[::10])]
    assert np.allclose([ess_full, ess_thin, mcse_full, mcse_thin], truth, rtol=5e-4, atol=0)


CH5_THIN = Question(
    "ex-ch5-thin", (public_thin, hidden_thin), ess_full="dg.ess(lt_full, 'mean')",
    ess_thin="dg.ess(lt_thin, 'mean')", mcse_full="dg.mcse(lt_full)", mcse_thin="dg.mcse(lt_thin)",
    graded="`ess_full` and `mcse_full` (all draws), `ess_thin` and `mcse_thin` (every 10th).")


def public_scale(acceptance, ess_per_1000, best_scale):
    """Five rates between 0 and 1, five ESS per 1,000 draws, one of the five scales."""
    import numpy as np

    assert np.shape(acceptance) == (5,) and np.shape(ess_per_1000) == (5,), "one per scale"
    assert ((0 <= np.asarray(acceptance)) & (np.asarray(acceptance) <= 1)).all(), "rates: 0 to 1"
    assert best_scale in (0.5, 1.0, 2.0, 3.0, 5.0), "best_scale is one of the five scales"


def hidden_scale(acceptance, ess_per_1000, best_scale):
    """runs.multi_chain_run(scale=s): acceptance and bulk ESS of log tau per 1,000 draws."""
    import numpy as np

    from eightschools import diagnostics as dg
    from eightschools import runs

    scales = [0.5, 1.0, 2.0, 3.0, 5.0]
    sims = [runs.multi_chain_run(scale=s) for s in scales]
    acc = [float(sim.result.accept_rate.mean()) for sim in sims]
    per = [1000 * dg.ess(sim.kept[..., 1], "bulk") / sim.kept[..., 1].size for sim in sims]
    assert np.allclose(acceptance, acc, rtol=5e-4, atol=0)
    assert np.allclose(ess_per_1000, per, rtol=5e-4, atol=0)
    assert best_scale == scales[int(np.argmax(per))]


CH5_SCALE = Question("ex-ch5-scale", (public_scale, hidden_scale),
                     acceptance="np.array(rows)[:, 1]", ess_per_1000="np.array(rows)[:, 2]",
                     best_scale="rows[int(np.argmax(np.array(rows)[:, 2]))][0]",
                     graded="`acceptance` and `ess_per_1000` (bulk, of log tau) at each scale, "
                     "and `best_scale`.")


def public_batch(batch_mcse):
    """Five positive batch-means MCSEs, one per batch length."""
    import numpy as np

    assert np.shape(batch_mcse) == (5,), "batch_mcse: one value per batch length L"
    assert (np.asarray(batch_mcse) > 0).all(), "an MCSE is positive"


def hidden_batch(batch_mcse):
    """sd(batch means, ddof = 1) / sqrt(b) of log tau for L = 5, 25, 100, 250, 500."""
    import numpy as np

    from eightschools import runs

    lt = runs.post_run().kept[:, 1]
    means = [lt.reshape(-1, L).mean(axis=1) for L in (5, 25, 100, 250, 500)]
    truth = [m.std(ddof=1) / np.sqrt(m.size) for m in means]
    assert np.allclose(batch_mcse, truth, rtol=5e-4, atol=0)


CH5_BATCH = Question("ex-ch5-batch", (public_batch, hidden_batch),
                     batch_mcse="np.array(rows)[:, 2]",
                     graded="`batch_mcse`, one MCSE per batch length L.")


def public_by_hand(rho, my_ess):
    """Autocorrelations at lags 0 to 200 (where wrong, the self-check's hint); a positive ESS."""
    import numpy as np

    from eightschools import check, runs

    assert np.shape(rho) == (201,), "rho: the autocorrelations at lags 0 to 200, shape (201,)"
    result = check.autocorrelation(runs.post_run().kept[:, 1], rho)
    assert result.verdict != "wrong", result.hint
    assert my_ess > 0, "an effective sample size is positive"


def hidden_by_hand(rho, my_ess):
    """Right by check.autocorrelation and check.effective_sample_size on the post's chain."""
    from eightschools import check, runs

    log_tau = runs.post_run().kept[:, 1]
    assert check.autocorrelation(log_tau, rho)
    assert check.effective_sample_size(log_tau, my_ess)


CH5_BY_HAND = Question("ex-ch5-by-hand", (public_by_hand, hidden_by_hand), rho="", my_ess="",
                       graded="`rho`, the lags 0 to 200, and `my_ess`, your ESS.")
