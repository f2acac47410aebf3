package dev.hybrid.testkit;

import java.util.concurrent.Executor;

/** An {@link Executor} that runs each task at once on the calling thread. */
public enum DirectExecutor implements Executor {
    INSTANCE;

    @Override
    public void execute(Runnable command) {
        command.run();
    }
}
