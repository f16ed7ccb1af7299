package dev.gatehouse.proxy;

import dev.gatehouse.enforcement.Pages;
import dev.gatehouse.enforcement.RefusalBody;
import dev.gatehouse.enforcement.RequestId;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Every error the proxy answers itself (400, 404, 405, 500, 502, 503, 504 — from Jetty, from the
 * upstream hop, from a graceful stop) rendered on the same {@link Pages} page as a refusal, or as JSON
 * for a client that prefers it: plain words, the request id, when to retry; never Jetty's page, its
 * name, a message from an exception or a stack trace.
 */
final class PageErrorHandler extends ErrorHandler {

    private final Pages pages;

    PageErrorHandler(Pages pages) {
        this.pages = Objects.requireNonNull(pages, "pages");
        setShowStacks(false);
        setShowCauses(false);
        setShowMessageInTitle(false);
        setShowOrigin(false);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (status < 400) {
            status = HttpStatus.INTERNAL_SERVER_ERROR_500;
            response.setStatus(status);
        }
        String requestId = request.getAttribute(RequestId.ATTRIBUTE) instanceof String id ? id : RequestId.generate();
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(RequestId.HEADER, requestId);
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        if (HttpStatus.hasNoBody(status)) {
            callback.succeeded();
            return true;
        }
        RefusalBody.Rendered rendered = RefusalBody.render(status, null, request.getHeaders().get(HttpHeader.ACCEPT), requestId, pages);
        byte[] body = rendered.body().getBytes(StandardCharsets.UTF_8);
        headers.put(HttpHeader.CONTENT_TYPE, rendered.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, String.valueOf(body.length));
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(body), callback);
        return true;
    }

    /** A request Jetty could not parse (400, 431, 414 …): there is no request yet, so the id is a fresh one. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        String requestId = RequestId.generate();
        fields.put(RequestId.HEADER, requestId);
        fields.put(HttpHeader.CACHE_CONTROL, "no-store");
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, RefusalBody.HTML));
        return ByteBuffer.wrap(pages.render(status, null, requestId, -1).getBytes(StandardCharsets.UTF_8));
    }
}
