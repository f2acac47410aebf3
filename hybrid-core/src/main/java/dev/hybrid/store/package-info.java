/**
 * Where an experiment's state lives: the {@link dev.hybrid.store.ExperimentStore} interface, the embedded SQLite
 * store that config-based experiments use by default, and an in-memory store for tests and throwaway runs. The
 * experiment thread is the only writer; the command line reads the same database. Non-null by default.
 */
package dev.hybrid.store;
