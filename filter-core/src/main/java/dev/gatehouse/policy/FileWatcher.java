package dev.gatehouse.policy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Watches a few files (the policy and the lists it includes) and calls back when one of them changes.
 * A {@link WatchService} can only watch directories, so events for the other entries of those
 * directories (a log file written next to the policy, say) are dropped here: they never reach a reload.
 *
 * <p>Besides the files by name, entries whose name starts with {@code ..} count: Kubernetes mounts a
 * ConfigMap as {@code policy.yaml -> ..data/policy.yaml} and updates it by swapping the {@code ..data}
 * link, which changes no entry named {@code policy.yaml}. A file that is a symbolic link is also watched
 * where it points.
 */
final class FileWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

    private final WatchService service;
    private final Runnable onChange;
    private final Thread thread;
    private final Map<WatchKey, Path> directories = new HashMap<>(); // guarded by this
    private volatile Set<Path> files = Set.of();

    private FileWatcher(WatchService service, Runnable onChange, String threadName) {
        this.service = service;
        this.onChange = onChange;
        this.thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
    }

    /**
     * Starts watching {@code files}; {@code onChange} runs on the watcher's thread and should return quickly.
     *
     * @throws IOException when the platform cannot watch (the caller falls back to manual reloads)
     */
    static FileWatcher start(Collection<Path> files, Runnable onChange, String threadName) throws IOException {
        FileWatcher watcher = new FileWatcher(FileSystems.getDefault().newWatchService(), onChange, threadName);
        try {
            watcher.watch(files);
        } catch (IOException | RuntimeException e) {
            watcher.close();
            throw e;
        }
        watcher.thread.start();
        return watcher;
    }

    /** Replaces the set of watched files (a new policy version may include other lists). */
    synchronized void watch(Collection<Path> targets) throws IOException {
        Set<Path> wanted = new LinkedHashSet<>();
        for (Path target : targets) {
            Path file = target.toAbsolutePath().normalize();
            wanted.add(file);
            if (Files.isSymbolicLink(file)) {
                try {
                    wanted.add(file.toRealPath());
                } catch (IOException e) {
                    // a dangling link: its own directory is still watched
                }
            }
        }
        for (Path file : wanted) {
            Path dir = file.getParent();
            if (dir != null && !directories.containsValue(dir) && Files.isDirectory(dir)) {
                WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                directories.put(key, dir);
            }
        }
        files = Set.copyOf(wanted);
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = service.take();
                try {
                    if (relevant(key)) {
                        onChange.run();
                    }
                } catch (Throwable t) { // the thread must outlive anything one change can cause
                    log.error("policy watcher: handling a change failed; still watching", t);
                }
                if (!key.reset()) {
                    synchronized (this) {
                        log.warn("policy watcher: directory {} is gone; its files are no longer watched", directories.remove(key));
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean relevant(WatchKey key) {
        Path dir;
        synchronized (this) {
            dir = directories.get(key);
        }
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) { // drain them all, so the key can be reset
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                relevant = true; // events were lost: one of ours may be among them
            } else if (dir != null && event.context() instanceof Path name) {
                relevant |= name.toString().startsWith("..") || files.contains(dir.resolve(name));
            }
        }
        return relevant;
    }

    /** Stops watching. */
    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            log.debug("closing the policy watch service", e);
        }
        thread.interrupt();
    }
}
