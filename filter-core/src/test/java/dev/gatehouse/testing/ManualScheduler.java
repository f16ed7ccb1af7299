package dev.gatehouse.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ScheduledExecutorService} whose time tests move by hand: {@link #execute} runs at once on the
 * caller, a scheduled task runs on the thread that calls {@link #advance} past its deadline. Pair it
 * with the same time for timings: {@code Gatehouse.builder().scheduler(s).nanoTime(s::nanoTime)}.
 * Periodic scheduling is not supported.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicLong sequence = new AtomicLong();
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private volatile boolean shutdown;

    /** The scheduler's time in nanoseconds. */
    public long nanoTime() {
        return now.get();
    }

    /** Moves time forward and runs, in deadline order, every task now due. */
    public void advance(Duration by) {
        long until = now.addAndGet(by.toNanos());
        for (Task<?> due = poll(until); due != null; due = poll(until)) {
            due.run();
        }
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public synchronized int pending() {
        queue.removeIf(FutureTask::isDone);
        return queue.size();
    }

    private synchronized Task<?> poll(long until) {
        Task<?> head = queue.peek();
        return head != null && head.deadline <= until ? queue.poll() : null;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(() -> {
            command.run();
            return null;
        }, delay, unit);
    }

    @Override
    public synchronized <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Task<V> task = new Task<>(callable, now.get() + unit.toNanos(delay), sequence.incrementAndGet());
        queue.add(task);
        return task;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic tasks");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic tasks");
    }

    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>(queue);
        queue.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }

    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        private final long deadline;
        private final long order;

        Task(Callable<V> callable, long deadline, long order) {
            super(callable);
            this.deadline = deadline;
            this.order = order;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(deadline - now.get(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Task<?> o = (Task<?>) other;
            return deadline != o.deadline ? Long.compare(deadline, o.deadline) : Long.compare(order, o.order);
        }
    }
}
