#!/usr/bin/python3
"""Writes the hand-made MIS fixtures (synthetic people only). Run from this folder; the output is committed.

Half term 1 of 2025/26 runs 2025-09-03 (Wed) to 2025-10-17 (Fri) under SchoolCalendar's rule.
"""
import datetime

START = datetime.date(2025, 9, 3)
END = datetime.date(2025, 10, 17)


def days(start=START, end=END):
    d = start
    while d <= end:
        yield d
        d += datetime.timedelta(days=1)


def marks(special=None, end=END):
    """A mark string from START: '/\\' on weekdays, '##' at weekends; special maps a date to two characters."""
    special = special or {}
    out = []
    for d in days(end=end):
        if d in special:
            out.append(special[d])
        elif d.weekday() >= 5:
            out.append("##")
        else:
            out.append("/\\")
    return "".join(out)


def counts(mark_string):
    present = sum(mark_string.count(c) for c in "/\\L")
    aea = sum(mark_string.count(c) for c in "VPWBK")
    auth = sum(mark_string.count(c) for c in "IMCEHjcpRST")
    unauth = sum(mark_string.count(c) for c in "GNOU")
    return present + aea + auth + unauth, auth, present + aea, unauth


def d(y, m, dd):
    return datetime.date(y, m, dd)


HEADER_V25 = """<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName>
    <CTFversion>25.0</CTFversion>
    <DateTime>2025-10-17T16:00:00</DateTime>
    <DocumentQualifier>partial</DocumentQualifier>
    <SourceSchool>
      <LEA>{lea}</LEA>
      <Estab>{estab}</Estab>
      <URN>120001</URN>
      <SchoolName>Fixture Primary School</SchoolName>
      <AcademicYear>2025</AcademicYear>
    </SourceSchool>
  </Header>
  <CTFpupilData>
"""

PUPIL_V25 = """    <Pupil>
      <UPN>{upn}</UPN>
      <Surname>{surname}</Surname>
      <Forename>{forename}</Forename>
      <DOB>{dob}</DOB>
      <Sex>F</Sex>
      <BasicDetails><NCyearActual>{year}</NCyearActual></BasicDetails>
      <LookedAfter><InCare>{incare}</InCare></LookedAfter>
      <Address>
        <BS7666Address><SAON>Flat 2</SAON><PAON>12</PAON><Street>Fixture Street</Street><Town>Testwick</Town><AdministrativeArea>Synthshire</AdministrativeArea><PostTown>Testwick</PostTown></BS7666Address>
        <PostCode>XX1 1AA</PostCode>
      </Address>
      <Contacts>
        <Contact>
          <Order>1</Order><Title>Mrs</Title><Surname>{surname}</Surname><Forename>Anne</Forename><Gender>F</Gender>
          <Relationship>MUM</Relationship><Responsibility>true</Responsibility>
          <Address><AddressAsPupil>true</AddressAsPupil></Address>
        </Contact>
        <Contact>
          <Order>2</Order><Title>Mrs</Title><Surname>Elderby</Surname><Forename>Joan</Forename>
          <Relationship>GRM</Relationship><Responsibility>false</Responsibility>
          <Address><AddressLines><AddressLine1>3 Other Road</AddressLine1><AddressLine2>Testwick</AddressLine2></AddressLines><PostCode>XX2 2BB</PostCode></Address>
        </Contact>
      </Contacts>
      <Attendance>
        <YearData>
          <Year>2025</Year><LEA>926</LEA><Estab>2001</Estab>
          <SessionsPossible>{possible}</SessionsPossible><SessionsAuthorised>{auth}</SessionsAuthorised><SessionsAttended>{attended}</SessionsAttended><SessionsUnauthorised>{unauth}</SessionsUnauthorised>
          <AttendSessions>
            <AttendanceStartDate>{start}</AttendanceStartDate>
            <AttendanceMarks>{marks}</AttendanceMarks>
          </AttendSessions>
        </YearData>
      </Attendance>
    </Pupil>
"""

# An older CTF: Gender, NCYearActual, AddressLines, SessionAttendance/SessionStartDate/SessionMarks, CTFPupilData.
HEADER_V12 = HEADER_V25.replace("<CTFversion>25.0</CTFversion>", "<CTFversion>12.0</CTFversion>").replace(
    "<CTFpupilData>", "<CTFPupilData>")
PUPIL_V12 = """    <Pupil>
      <UPN>{upn}</UPN>
      <Surname>{surname}</Surname>
      <Forename>{forename}</Forename>
      <DOB>{dob}</DOB>
      <Gender>F</Gender>
      <BasicDetails><NCYearActual>{year}</NCYearActual></BasicDetails>
      <LookedAfter><InCare>{incare}</InCare><CareAuthority>926</CareAuthority></LookedAfter>
      <Address>
        <AddressLines><AddressLine1>Flat 2</AddressLine1><AddressLine2>12 Fixture Street</AddressLine2><AddressLine3>Testwick</AddressLine3></AddressLines>
        <County>Synthshire</County>
        <PostCode>XX1 1AA</PostCode>
      </Address>
      <Contacts>
        <Contact>
          <Order>1</Order><Title>Mrs</Title><Surname>{surname}</Surname><Forename>Anne</Forename>
          <Relationship>MUM</Relationship><ParentalResponsibility>1</ParentalResponsibility>
          <Address><AddressAsPupil>true</AddressAsPupil></Address>
        </Contact>
      </Contacts>
      <Attendance>
        <YearData>
          <Year>2025</Year><LEA>926</LEA><Estab>2001</Estab>
          <SessionsPossible>{possible}</SessionsPossible><SessionsAuthorised>{auth}</SessionsAuthorised><SessionsAttended>{attended}</SessionsAttended><SessionsUnauthorised>{unauth}</SessionsUnauthorised>
          <SessionAttendance>
            <SessionStartDate>{start}</SessionStartDate>
            <SessionMarks><![CDATA[{marks}]]></SessionMarks>
          </SessionAttendance>
        </YearData>
      </Attendance>
    </Pupil>
"""
FOOTER_V25 = "  </CTFpupilData>\n</CTfile>\n"
FOOTER_V12 = "  </CTFPupilData>\n</CTfile>\n"


def pupil(template, upn, surname="Fixtureby", forename="Ada", dob="2018-03-14", year="3", incare="false",
          mark_string=None, totals=None, start=START):
    mark_string = mark_string if mark_string is not None else marks()
    possible, auth, attended, unauth = totals or counts(mark_string)
    return template.format(upn=upn, surname=surname, forename=forename, dob=dob, year=year, incare=incare,
                           possible=possible, auth=auth, attended=attended, unauth=unauth, start=start,
                           marks=mark_string)


# Valid UPNs (check letters computed by the README's rule; LA 926, estab 2001).
ALPHA = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(body):
    total = 0
    for i, c in enumerate(body, 2):
        total += (int(c) if c.isdigit() else ALPHA.index(c)) * i
    return ALPHA[total % 23] + body


U1, U2, U3, U4, U5, U6, U7, U8 = (upn("9262001%05d" % n) for n in (21001, 21002, 21003, 21004, 21005, 21006, 21007, 21008))

# 1. Valid, CTF 25 names. Pupil 2 has some absence with 2024 codes (J1 as j, C2 as p) and a Y4 closure day.
p2_marks = marks({d(2025, 9, 8): "II", d(2025, 9, 9): "II", d(2025, 9, 10): "/M", d(2025, 9, 15): "jj",
                  d(2025, 9, 16): "pp", d(2025, 9, 22): "GG", d(2025, 9, 23): "O\\", d(2025, 10, 1): "VV",
                  d(2025, 10, 2): "44", d(2025, 10, 3): "L\\"})
valid = [pupil(PUPIL_V25, U1), pupil(PUPIL_V25, U2, forename="Bea", dob="2014-11-30", year="6", incare="true",
                                      mark_string=p2_marks)]
open("ctf-valid-v25.xml", "w").write(HEADER_V25.format(lea="926", estab="2001") + "".join(valid) + FOOTER_V25)
valid12 = [pupil(PUPIL_V12, U1), pupil(PUPIL_V12, U2, forename="Bea", dob="2014-11-30", year="6", incare="true",
                                        mark_string=p2_marks)]
open("ctf-valid-v12.xml", "w").write(HEADER_V12.format(lea="926", estab="2001") + "".join(valid12) + FOOTER_V12)

# 2. Problems, one pupil each (line comments in the test name them).
bad_check = "A" + U3[1:] if U3[0] != "A" else "B" + U3[1:]
problems = [
    pupil(PUPIL_V25, bad_check),                                                     # upn-check-letter
    pupil(PUPIL_V25, "926200121004"),                                                # upn-malformed (12 chars)
    pupil(PUPIL_V25, U5, mark_string=marks({d(2025, 9, 8): "A/"})),                   # code-unknown
    pupil(PUPIL_V25, U6, mark_string=marks({d(2025, 9, 8): "HH"})),                   # code-not-valid-on-date
    pupil(PUPIL_V25, U7, mark_string=marks({d(2025, 9, 8): "-\\"})),                 # mark-missing
    pupil(PUPIL_V25, U8, totals=(70, 0, 70, 0)),                                      # totals-mismatch
    pupil(PUPIL_V25, U1, dob="2012-01-01", year="3"),                                 # dob-year-group
    pupil(PUPIL_V25, U1),                                                             # pupil-duplicate
    pupil(PUPIL_V25, upn("9262001%05d" % 21009), mark_string=marks({d(2025, 9, 6): "/\\"})),  # mark-on-non-school-day
    pupil(PUPIL_V25, upn("9262001%05d" % 21010), mark_string=marks(end=d(2025, 10, 28))),  # mark-outside-period
    pupil(PUPIL_V25, upn("9262001%05d" % 21011), mark_string=marks()[:-1]),           # mark-string-length
]
open("ctf-problems.xml", "w").write(HEADER_V25.format(lea="926", estab="2001") + "".join(problems) + FOOTER_V25)

# 3. Fatal files.
broken = HEADER_V25.format(lea="926", estab="2001") + pupil(PUPIL_V25, U1).replace("</Forename>", "</Forname>", 1) + FOOTER_V25
open("ctf-malformed.xml", "w").write(broken)
open("not-ctf.xml", "w").write('<?xml version="1.0"?>\n<html><body><p>Not a CTF</p></body></html>\n')
open("ctf-bad-laestab.xml", "w").write(HEADER_V25.format(lea="92", estab="2001") + pupil(PUPIL_V25, U1) + FOOTER_V25)
no_marks = pupil(PUPIL_V25, U1).replace("<Year>2025</Year>", "<Year>2023</Year>")
open("ctf-no-marks.xml", "w").write(HEADER_V25.format(lea="926", estab="2001") + no_marks + FOOTER_V25)

# 4. CSV register exports.
COLUMNS = "laestab,school_name,upn,surname,forename,dob,sex,year_group,looked_after,date,session,code\n"


def csv_rows(upn_, mark_string, surname="Fixtureby", dob="2018-03-14", year="3", laestab="9262001",
             school='"Fixture Primary School, Testwick"'):
    rows = []
    for i, day in enumerate(days(end=START + datetime.timedelta(days=len(mark_string) // 2 - 1))):
        for s, session in enumerate(("AM", "PM")):
            c = mark_string[2 * i + s]
            if c == "#":
                continue
            code = {"j": "J1", "p": "C2", "c": "C1", "4": "Y4"}.get(c, c)
            if code == "\\":
                code = "\\"
            rows.append(f"{laestab},{school},{upn_},{surname},Ada,{dob},F,{year},false,{day.isoformat()},{session},{code}\n")
    return rows


valid_csv = csv_rows(U1, marks()) + csv_rows(U2, p2_marks, dob="2014-11-30", year="6")
valid_csv = [r.replace(f"{U2},Fixtureby,Ada,2014-11-30,F,6,false", f"{U2},Fixtureby,Bea,2014-11-30,F,6,true") for r in valid_csv]
open("csv-valid.csv", "w").write(COLUMNS + "".join(valid_csv))

rows = csv_rows(bad_check, marks())                                                  # upn-check-letter
rows += csv_rows(U5, marks({d(2025, 9, 8): "A/"}))                                   # code-unknown
rows += csv_rows(U6, marks({d(2025, 9, 8): "HH"}))                                   # code-not-valid-on-date
u7 = csv_rows(U7, marks())
u7 = [r for r in u7 if ",2025-09-08,PM," not in r]                                   # mark-missing (absent row)
u7 = [r.replace(",2025-09-09,AM,/", ",2025-09-09,AM,") for r in u7]                  # mark-missing (blank code)
rows += u7
rows += csv_rows(U8, marks(), dob="2012-01-01")                                      # dob-year-group
rows += [csv_rows(U8, marks())[0]]                                                   # mark-duplicate
rows += [csv_rows(U1, marks(), laestab="9262002")[0]]                                # school-mismatch
rows += ["9262001,Fixture,too,few\n"]                                                # row-field-count
rows += [csv_rows(U1, marks())[0].replace(",2025-09-03,", ",2025-09-06,")]           # mark-on-non-school-day
open("csv-problems.csv", "w").write(COLUMNS + "".join(rows))

malformed = COLUMNS + "".join(csv_rows(U1, marks())[:3]) + '9262001,"Fixture Primary School,' + U1 + ",x\n"
open("csv-malformed.csv", "w").write(malformed)
open("csv-not-register.csv", "w").write("name,score\nAda,3\n")
print("fixtures written; lines in csv-malformed.csv:", malformed.count("\n"))
