"""Appraisal of what units submitted ("thẩm định"): appraisers' domains (domain), their queues and
decisions (review), the grouped notices to units (notices), the item's status on the unit's card
(status) and the council chair's progress and close (council)."""
