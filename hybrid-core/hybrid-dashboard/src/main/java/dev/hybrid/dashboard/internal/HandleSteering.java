package dev.hybrid.dashboard.internal;

import dev.hybrid.ExperimentHandle;
import dev.hybrid.store.ControlRequest;

/** Steers an experiment of this process through its handle, recording the dashboard as the requests' source. */
public final class HandleSteering implements Steering {
    private final ExperimentHandle handle;

    public HandleSteering(ExperimentHandle handle) {
        this.handle = handle;
    }

    @Override
    public void apply(ControlRequest request) {
        handle.control(request, "dashboard");
    }
}
