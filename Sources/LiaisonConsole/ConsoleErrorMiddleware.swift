import Hummingbird

/// Turns every error a route throws into an HTML page in the layout: `HTTPError`s keep their status (a 403 says which
/// role the page is for); a redirect (3xx, from ``ConsoleContext/require(_:)``) stays a redirect; anything else is
/// logged and shown as a 500 page without its details.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext
    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            if (300..<400).contains(error.status.code) {
                return Response(status: error.status, headers: error.headers)
            }
            var response = page(error.status, message: error.body, context: context)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch let error as any HTTPResponseError {
            return page(error.status, message: nil, context: context)
        } catch {
            context.logger.error("console: a page failed: \(String(reflecting: type(of: error)))")
            context.logger.debug("console: the failure: \(error)")
            return page(.internalServerError, message: nil, context: context)
        }
    }

    func page(_ status: HTTPResponse.Status, message: String?, context: Context) -> Response {
        let (title, text): (String, String) = switch status.code {
        case 400: ("There is a problem with the request", "The request could not be read. Go back and try again.")
        case 403: ("You cannot see this page", "Your role does not include this page.")
        case 404: ("Page not found", "If you typed the web address, check it is correct.")
        case 413: ("The form is too large", "Go back and send less.")
        case 429: ("Too many attempts", "Wait 15 minutes, then try again.")
        case 500...: ("Sorry, there is a problem with the service", "Try again later.")
        default: (status.reasonPhrase, "")
        }
        return pages.render("error", title: title, data: ["message": message ?? text], context: context, status: status)
    }
}
