package dev.gatehouse.proxy;

import org.eclipse.jetty.io.Content;

import java.util.Objects;

/**
 * The client's request body on its way to the upstream, watched for one fact: whether any of it was
 * read yet. Until then the request can be retried on another upstream, so a failure of this attempt is
 * not passed on to the client's body (which the next attempt still has to read).
 */
final class WatchedContent implements org.eclipse.jetty.client.Request.Content {

    private final org.eclipse.jetty.client.Request.Content delegate;
    private volatile boolean started;

    WatchedContent(org.eclipse.jetty.client.Request.Content delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Whether {@code proxyToServerRequest}'s body has begun to be read from the client. */
    static boolean started(org.eclipse.jetty.client.Request proxyToServerRequest) {
        return proxyToServerRequest.getBody() instanceof WatchedContent watched && watched.started;
    }

    @Override
    public String getContentType() {
        return delegate.getContentType();
    }

    @Override
    public long getLength() {
        return delegate.getLength();
    }

    @Override
    public Content.Chunk read() {
        Content.Chunk chunk = delegate.read();
        if (chunk != null) {
            started = true;
        }
        return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
        delegate.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
        fail(failure, true);
    }

    @Override
    public void fail(Throwable failure, boolean last) {
        if (started) {
            delegate.fail(failure, last);
        }
    }

    @Override
    public boolean rewind() {
        return delegate.rewind();
    }
}
