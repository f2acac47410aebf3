package dev.hybrid.dashboard.internal;

import dev.hybrid.store.ControlRequest;

/** Applies the page's steering requests (stop, cancel a trial, change a limit) to a running experiment. Thread-safe. */
public interface Steering {

    /**
     * Hands the request to the experiment, which applies it on its own thread.
     *
     * @throws IllegalArgumentException if the experiment refuses the value (no such trial, a limit below what ran)
     * @throws IllegalStateException if the experiment has ended
     */
    void apply(ControlRequest request);
}
