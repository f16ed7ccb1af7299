package dev.gatehouse.policy;

import dev.gatehouse.testing.MutableClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A {@link Scheduler} whose tasks run on the test's thread when the test moves its clock. */
final class ManualScheduler implements Scheduler {

    private record Task(Instant due, long order, Runnable task) {}

    private final MutableClock clock;
    private final List<Task> tasks = new ArrayList<>();
    private long order;

    ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void schedule(Duration delay, Runnable task) {
        tasks.add(new Task(clock.instant().plus(delay), order++, task));
    }

    /** Moves the clock by {@code by}, running every task that falls due on the way, in order. */
    void advance(Duration by) {
        Instant end = clock.instant().plus(by);
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due().isAfter(end))
                        .min(Comparator.comparing(Task::due).thenComparingLong(Task::order)).orElse(null);
                if (next == null) {
                    break;
                }
                tasks.remove(next);
            }
            if (next.due().isAfter(clock.instant())) {
                clock.advance(Duration.between(clock.instant(), next.due()));
            }
            next.task().run();
        }
        if (end.isAfter(clock.instant())) {
            clock.advance(Duration.between(clock.instant(), end));
        }
    }

    synchronized int pending() {
        return tasks.size();
    }

    @Override
    public void close() {
    }
}
