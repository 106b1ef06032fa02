package activity

import "time"

// The pure rules of volunteer service: star levels and award eligibility from plain totals,
// and the checks of one interval of hours. No SQL, no HTTP; table-tested at the thresholds.

// StarHours are the approved service hours at which a volunteer reaches one to five stars
// (100, 300, 600, 1,000 and 1,500 hours). Source: issue 4 / the national science-volunteer
// service rules (star rating of volunteers by recorded service hours).
var StarHours = [5]int{100, 300, 600, 1000, 1500}

// StarLevel returns the star level (0–5) reached with this many approved minutes: level n
// needs at least StarHours[n-1] × 60 minutes, so 99 h 59 min is below one star and 100 h 0 min
// is one star. Source: issue 4 / the national science-volunteer service rules.
func StarLevel(minutes int64) int {
	level := 0
	for i, h := range StarHours {
		if minutes >= int64(h)*60 {
			level = i + 1
		}
	}
	return level
}

// NextStar returns the hours needed for the next star level and the minutes still missing;
// (0, 0) at five stars.
func NextStar(minutes int64) (hours int, missing int64) {
	l := StarLevel(minutes)
	if l >= len(StarHours) {
		return 0, 0
	}
	return StarHours[l], int64(StarHours[l])*60 - minutes
}

// Award thresholds for a period. Source: issue 4 / the national science-volunteer service
// rules (outstanding volunteer and outstanding team awards).
const (
	AwardVolunteerActivities = 10 // distinct shifts with approved hours
	AwardVolunteerMinutes    = 20 * 60
	AwardTeamVolunteers      = 20 // registered (approved) members
	AwardTeamActivities      = 50 // distinct shifts of the team with approved hours
	AwardTeamMinutesPerHead  = 5 * 60
	AwardTeamMinutes         = 100 * 60
)

// VolunteerTotals are a volunteer's approved figures in a period: Activities is the number
// of distinct shifts with approved hours, Minutes the approved minutes.
type VolunteerTotals struct {
	Activities int
	Minutes    int64
}

// Eligible reports whether the volunteer qualifies for the period's award: at least 10
// activities and 20 hours (1,200 minutes). Source: issue 4 / the national science-volunteer
// service rules.
func (v VolunteerTotals) Eligible() bool {
	return v.Activities >= AwardVolunteerActivities && v.Minutes >= AwardVolunteerMinutes
}

// TeamTotals are a team's approved figures in a period: Volunteers is the number of
// registered volunteers (approved members, as of now), Activities the distinct shifts of the
// team with approved hours, Minutes the approved minutes of registered volunteers on them.
type TeamTotals struct {
	Volunteers int
	Activities int
	Minutes    int64
}

// MinutesPerVolunteer is the team's approved minutes divided by its registered volunteers
// (0 for a team without members).
func (t TeamTotals) MinutesPerVolunteer() float64 {
	if t.Volunteers == 0 {
		return 0
	}
	return float64(t.Minutes) / float64(t.Volunteers)
}

// Eligible reports whether the team qualifies: at least 20 registered volunteers, 50
// activities, 5 hours per registered volunteer and 100 hours in total. The per-volunteer test
// is done in whole minutes (Minutes ≥ 300 × Volunteers) so that no rounding decides it.
// Source: issue 4 / the national science-volunteer service rules.
func (t TeamTotals) Eligible() bool {
	return t.Volunteers >= AwardTeamVolunteers && t.Activities >= AwardTeamActivities &&
		t.Minutes >= AwardTeamMinutes && t.Minutes >= int64(AwardTeamMinutesPerHead)*int64(t.Volunteers)
}

// ShiftMargin is how far the time actually served may lie outside the shift's scheduled time
// (a volunteer who came early to set up or stayed to clear away). Hours further outside are
// refused as a likely typing mistake. A house rule, not a national one.
const ShiftMargin = 3 * time.Hour

// MaxServiceHours is the longest interval one record of hours may cover.
const MaxServiceHours = 24

// CheckServedInterval checks the time actually served on a shift, to the minute (seconds are
// dropped first): the end after the start, at most MaxServiceHours long, within ShiftMargin
// of the shift's time, and not in the future. It returns the truncated interval with its
// minutes, or a message in Chinese naming what is wrong ("" when fine) and the field it
// belongs to ("starts_at" or "ends_at").
func CheckServedInterval(start, end, shiftStart, shiftEnd, now time.Time) (s, e time.Time, minutes int64, field, msg string) {
	s, e = start.Truncate(time.Minute).UTC(), end.Truncate(time.Minute).UTC()
	switch {
	case start.IsZero():
		return s, e, 0, "starts_at", "请填写实际开始时间"
	case end.IsZero():
		return s, e, 0, "ends_at", "请填写实际结束时间"
	case e.Before(s):
		return s, e, 0, "ends_at", "结束时间早于开始时间"
	case e.Equal(s):
		return s, e, 0, "ends_at", "结束时间与开始时间相同，服务时长为 0"
	case e.Sub(s) > MaxServiceHours*time.Hour:
		return s, e, 0, "ends_at", "一条服务时长记录最长 24 小时"
	case s.Before(shiftStart.Add(-ShiftMargin)):
		return s, e, 0, "starts_at", "开始时间比岗位开始时间早 3 小时以上，请核对日期和时间"
	case e.After(shiftEnd.Add(ShiftMargin)):
		return s, e, 0, "ends_at", "结束时间比岗位结束时间晚 3 小时以上，请核对日期和时间"
	case e.After(now):
		return s, e, 0, "ends_at", "结束时间还没到，服务结束后再确认时长"
	}
	return s, e, int64(e.Sub(s) / time.Minute), "", ""
}

// HoursOverlap reports whether two half-open intervals [aStart, aEnd) and [bStart, bEnd) share
// any time; one ending exactly when the other starts does not overlap.
func HoursOverlap(aStart, aEnd, bStart, bEnd time.Time) bool {
	return aStart.Before(bEnd) && bStart.Before(aEnd)
}
