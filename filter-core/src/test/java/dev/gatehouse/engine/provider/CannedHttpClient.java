package dev.gatehouse.engine.provider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

import javax.net.ssl.SSLSession;

/**
 * An {@link HttpClient} that answers every request at once, on the caller's thread, with one canned
 * status, headers and body, fed to the caller's body subscriber in pieces as a network would. For fuzzing
 * the provider mappings, where a socket per input would cost more than the mapping itself; the real
 * client against a real server is {@link FakeProvider}'s.
 */
final class CannedHttpClient extends HttpClient {

    private static final int PIECE = 16 * 1024;

    private volatile int status = 200;
    private volatile HttpHeaders headers = HttpHeaders.of(Map.of(), (k, v) -> true);
    private volatile byte[] body = new byte[0];

    void answer(int status, Map<String, List<String>> headers, byte[] body) {
        this.status = status;
        this.headers = HttpHeaders.of(headers, (k, v) -> true);
        this.body = body;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        int s = status;
        HttpHeaders h = headers;
        byte[] b = body;
        HttpResponse.BodySubscriber<T> subscriber = handler.apply(new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return s;
            }

            @Override
            public HttpHeaders headers() {
                return h;
            }

            @Override
            public Version version() {
                return Version.HTTP_1_1;
            }
        });
        boolean[] cancelled = {false};
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
                cancelled[0] = true;
            }
        });
        for (int i = 0; i < b.length && !cancelled[0]; i += PIECE) {
            subscriber.onNext(List.of(ByteBuffer.wrap(b, i, Math.min(PIECE, b.length - i)).slice()));
        }
        if (!cancelled[0]) {
            subscriber.onComplete();
        }
        return subscriber.getBody().toCompletableFuture().thenApply(value -> response(request, s, h, value));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        return sendAsync(request, handler);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return sendAsync(request, handler).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private static <T> HttpResponse<T> response(HttpRequest request, int status, HttpHeaders headers, T body) {
        return new HttpResponse<>() {
            @Override
            public int statusCode() {
                return status;
            }

            @Override
            public HttpRequest request() {
                return request;
            }

            @Override
            public Optional<HttpResponse<T>> previousResponse() {
                return Optional.empty();
            }

            @Override
            public HttpHeaders headers() {
                return headers;
            }

            @Override
            public T body() {
                return body;
            }

            @Override
            public Optional<SSLSession> sslSession() {
                return Optional.empty();
            }

            @Override
            public URI uri() {
                return request.uri();
            }

            @Override
            public Version version() {
                return Version.HTTP_1_1;
            }
        };
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
        return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
        throw new UnsupportedOperationException("no TLS in a canned client");
    }

    @Override
    public SSLParameters sslParameters() {
        throw new UnsupportedOperationException("no TLS in a canned client");
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return Optional.empty();
    }

    @Override
    public Version version() {
        return Version.HTTP_1_1;
    }

    @Override
    public Optional<Executor> executor() {
        return Optional.empty();
    }
}
