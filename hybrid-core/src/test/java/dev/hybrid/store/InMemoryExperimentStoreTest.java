package dev.hybrid.store;

import dev.hybrid.testkit.ExperimentStoreContract;
import java.nio.file.Path;

class InMemoryExperimentStoreTest extends ExperimentStoreContract {
    @Override
    protected ExperimentStore newStore(Path directory) {
        return new InMemoryExperimentStore();
    }
}
