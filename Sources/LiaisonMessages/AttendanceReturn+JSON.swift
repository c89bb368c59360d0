import StrictJSON

// The return's JSON written by hand (`SortedJSONWritable`): members in `JSONEncoder`'s sorted order.

extension AttendanceReturn: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("marked_through", markedThrough)
            json.member("period", period)
            json.member("pupils")
            json.array(pupils) { json, pupil in pupil.write(to: &json) }
            json.member("school", school)
        }
    }
}

extension AttendanceReturn.School: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("laestab", laestab)
            json.member("name", name)
        }
    }
}

extension AttendanceReturn.Period: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("academic_year", academicYear)
            json.member("end_date", endDate)
            json.member("half_term", halfTerm)
            json.member("start_date", startDate)
        }
    }
}

extension AttendanceReturn.DayMarks: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("am", am)
            json.member("pm", pm)
        }
    }
}

extension AttendanceReturn.Pupil: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("aea", aea)
            json.member("authorised", authorised)
            json.member("codes")
            json.object(sorting: codes) { json, count in json.integer(count) }
            json.member("date_of_birth", dateOfBirth)
            json.member("looked_after", lookedAfter)
            if let marks {
                json.member("marks")
                json.object(sorting: marks) { json, day in day.write(to: &json) }
            }
            json.member("present", present)
            json.member("sessions_possible", sessionsPossible)
            json.member("unauthorised", unauthorised)
            json.member("upn", upn)
            json.member("year_group", yearGroup)
        }
    }
}
