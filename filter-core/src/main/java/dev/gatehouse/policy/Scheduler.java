package dev.gatehouse.policy;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs the policy watcher's settle checks later; tests pass one whose time they move by hand. */
interface Scheduler extends AutoCloseable {

    /** Runs {@code task} once after {@code delay}. Tasks never run concurrently with each other. */
    void schedule(Duration delay, Runnable task);

    @Override
    void close();

    /** One daemon thread. */
    static Scheduler daemon(String threadName) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
        return new Scheduler() {
            @Override
            public void schedule(Duration delay, Runnable task) {
                try {
                    executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // closed: nothing more to check
                }
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
