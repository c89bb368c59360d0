#ifndef LIAISON_CLIBXML2_SHIM_H
#define LIAISON_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
// libxml2 may be built with ICU; its headers would then pull in the system's ICU, whose declarations clash with
// the copy Foundation bundles (_FoundationICU). Liaison never touches the encoding handlers that differ.
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <string.h>

// The first error libxml2 reports while reading a document: its line, column, code and message.
// Captured in C so the Swift side need not depend on the callback's signature (it changed in 2.12).
typedef struct {
    int set;
    int line;
    int column;
    int code;
    char message[512];
} clx_error_capture;

#if LIBXML_VERSION >= 21200
static void clx_on_structured_error(void *context, const xmlError *error) {
#else
static void clx_on_structured_error(void *context, xmlErrorPtr error) {
#endif
    clx_error_capture *capture = (clx_error_capture *)context;
    if (capture == NULL || error == NULL || capture->set) return;
    if (error->level < XML_ERR_ERROR) return;  // warnings do not make a document unreadable
    capture->set = 1;
    capture->line = error->line;
    capture->column = error->int2;
    capture->code = error->code;
    const char *message = error->message ? error->message : "unknown libxml2 error";
    strncpy(capture->message, message, sizeof(capture->message) - 1);
    capture->message[sizeof(capture->message) - 1] = 0;
    size_t length = strlen(capture->message);
    while (length > 0 && (capture->message[length - 1] == '\n' || capture->message[length - 1] == ' ')) {
        capture->message[--length] = 0;
    }
}

/// Routes the reader's errors into `capture` (which must outlive the reader).
static inline void clx_capture_errors(xmlTextReaderPtr reader, clx_error_capture *capture) {
    xmlTextReaderSetStructuredErrorHandler(reader, clx_on_structured_error, capture);
}
#endif
