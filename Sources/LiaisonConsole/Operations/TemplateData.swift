/// A page's template data made on NIO's thread pool and handed to the route once: `[String: Any]` is not Sendable, but
/// what the operator's readers put in it is only strings, numbers, booleans and arrays and dictionaries of them, made
/// fresh for the one request and never touched again by the thread that made them.
struct TemplateData: @unchecked Sendable {
    let value: [String: Any]
    init(_ value: [String: Any]) { self.value = value }
}
