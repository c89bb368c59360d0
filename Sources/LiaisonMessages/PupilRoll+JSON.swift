import StrictJSON

// The roll's JSON written by hand (`SortedJSONWritable`): members in `JSONEncoder`'s sorted order.

extension PupilRoll: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("as_of", asOf)
            json.member("pupils")
            json.array(pupils) { json, pupil in pupil.write(to: &json) }
            json.member("school", school)
        }
    }
}

extension PupilRoll.Address: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("lines")
            json.array(lines) { json, line in json.string(line) }
            json.member("postcode", postcode)
        }
    }
}

extension PupilRoll.Contact: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("address", address)
            json.member("address_as_pupil", addressAsPupil)
            json.member("forename", forename)
            json.member("order", order)
            json.member("parental_responsibility", parentalResponsibility)
            json.member("relationship", relationship)
            json.member("surname", surname)
            json.member("title", title)
        }
    }
}

extension PupilRoll.SEN: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("primary_need", primaryNeed)
            json.member("status", status)
        }
    }
}

extension PupilRoll.Pupil: SortedJSONWritable {
    package func write(to json: inout SortedJSONWriter) {
        json.object { json in
            json.member("address", address)
            if let contacts {
                json.member("contacts")
                json.array(contacts) { json, contact in contact.write(to: &json) }
            }
            json.member("date_of_birth", dateOfBirth)
            json.member("forename", forename)
            json.member("sen", sen)
            json.member("surname", surname)
            json.member("upn", upn)
            json.member("year_group", yearGroup)
        }
    }
}
